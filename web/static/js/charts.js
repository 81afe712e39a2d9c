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

// trendChart draws entries and exits per period as columns and, when given,
// the active firms as a line on its own axis. A series given as null is left
// out (entries without founding dates, active firms when they are unknown).
export async function trendChart(canvas, labels, { entries, exits, active }, { names = {}, format } = {}) {
  const Chart = await loadChartJS();
  Chart.defaults.animation = false;
  Chart.getChart(canvas)?.destroy();
  const datasets = [];
  if (entries) datasets.push({ type: 'bar', label: names.entries, data: entries, backgroundColor: '#2f8f5b', yAxisID: 'y' });
  if (exits) datasets.push({ type: 'bar', label: names.exits, data: exits, backgroundColor: '#c0462f', yAxisID: 'y' });
  if (active) datasets.push({ type: 'line', label: names.active, data: active, borderColor: '#1f5fa8', backgroundColor: '#1f5fa8', yAxisID: 'y2', tension: 0, pointRadius: 2 });
  const scales = {
    x: { ticks: { maxRotation: 0, autoSkip: true, font: { size: 10 } } },
    y: { beginAtZero: true, position: 'left', ticks: { precision: 0, font: { size: 10 }, callback: format ? (v) => format(v) : undefined } },
  };
  if (active) scales.y2 = { beginAtZero: false, position: 'right', grid: { drawOnChartArea: false }, ticks: { precision: 0, font: { size: 10 } } };
  return new Chart(canvas, {
    data: { labels, datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { display: true, position: 'bottom', labels: { boxWidth: 10, font: { size: 11 } } } },
      scales,
    },
  });
}

// wrapLabel breaks a long axis label into lines of about width characters,
// so that no label is cut.
export function wrapLabel(s, width = 26) {
  const words = String(s).split(/\s+/);
  const lines = [];
  let line = '';
  for (const w of words) {
    if (line && (line + ' ' + w).length > width) { lines.push(line); line = w; } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines.length > 1 ? lines : lines[0] || '';
}
