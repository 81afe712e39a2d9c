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
