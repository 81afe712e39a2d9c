// charts: small bar charts with Chart.js, loaded on first use (its UMD build
// defines window.Chart).

let loading = null;

function loadChartJS() {
  if (window.Chart) return Promise.resolve(window.Chart);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = 'vendor/chart.js/chart.umd.min.js';
      s.onload = () => resolve(window.Chart);
      s.onerror = () => { loading = null; reject(new Error('chart library failed to load')); };
      document.head.append(s);
    });
  }
  return loading;
}

// barChart draws a horizontal bar chart in canvas; it returns the chart so the
// caller can destroy it.
export async function barChart(canvas, labels, values, { color = '#3d6fb6', label = '', format } = {}) {
  const Chart = await loadChartJS();
  Chart.defaults.animation = false;
  return new Chart(canvas, {
    type: 'bar',
    data: { labels, datasets: [{ label, data: values, backgroundColor: color }] },
    options: {
      indexAxis: 'y',
      responsive: true,
      maintainAspectRatio: false,
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: format ? { label: (c) => format(c.parsed.x) } : {} },
      },
      scales: {
        x: { beginAtZero: true, ticks: format ? { callback: (v) => format(v) } : {} },
        y: { ticks: { autoSkip: false, font: { size: 11 } } },
      },
    },
  });
}

// flowChart draws entries and exits per period as paired columns, the
// selected period (an index, -1 for none) stronger than the others.
export async function flowChart(canvas, labels, entries, exits, { selected = -1, names = ['', ''], format } = {}) {
  const Chart = await loadChartJS();
  Chart.defaults.animation = false;
  Chart.getChart(canvas)?.destroy(); // a redraw replaces the chart on the canvas
  const shade = (strong, faint) => labels.map((_, i) => (selected < 0 || i === selected ? strong : faint));
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels,
      datasets: [
        { label: names[0], data: entries, backgroundColor: shade('#2f8f5b', '#9fcfb3') },
        { label: names[1], data: exits, backgroundColor: shade('#c0462f', '#e7b1a5') },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      plugins: {
        legend: { display: true, position: 'bottom', labels: { boxWidth: 10, font: { size: 11 } } },
        tooltip: { callbacks: format ? { label: (c) => `${c.dataset.label}: ${format(c.parsed.y)}` } : {} },
      },
      scales: {
        x: { ticks: { maxRotation: 0, autoSkip: true, font: { size: 10 } } },
        y: { beginAtZero: true, ticks: { precision: 0, font: { size: 10 }, callback: format ? (v) => format(v) : undefined } },
      },
    },
  });
}
