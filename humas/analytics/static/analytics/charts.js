/* The analytics dashboard's charts (humas/analytics/templates/analytics/dashboard.html).
 *
 * The numbers come from the page's <script type="application/json" id="analytics-data"> (the
 * content-security policy forbids inline scripts); every chart has the same numbers as a table in
 * a <details> beside it, so nothing is lost without JavaScript.
 */
(function () {
  "use strict";

  var source = document.getElementById("analytics-data");
  if (!source || !window.Chart) {
    return;
  }
  var data = JSON.parse(source.textContent);
  // Numbers and dates as the page writes them (1.604 in Indonesian, 1,604 in English).
  window.Chart.defaults.locale = document.documentElement.lang || "id";
  var colours = ["#8b1a1a", "#1f5f8b", "#2e7d4f", "#b8860b"];

  // Posts are counted in ones, engagement and views in thousands: the first series (posts) is
  // drawn against its own axis on the right, or it would lie flat on the bottom.
  function datasets(list, extra) {
    return list.map(function (item, index) {
      var set = {
        label: item.label,
        data: item.data,
        backgroundColor: colours[index % colours.length],
        borderColor: colours[index % colours.length],
        yAxisID: index === 0 ? "count" : "y"
      };
      Object.keys(extra || {}).forEach(function (key) { set[key] = extra[key]; });
      return set;
    });
  }

  function scales() {
    return {
      y: { beginAtZero: true, position: "left" },
      count: {
        beginAtZero: true,
        position: "right",
        grid: { drawOnChartArea: false },
        ticks: { precision: 0 },
        title: { display: true, text: data.days.datasets.length ? data.days.datasets[0].label : "" }
      }
    };
  }

  var days = document.getElementById("chart-days");
  if (days) {
    new window.Chart(days, {
      type: "line",
      data: { labels: data.days.labels, datasets: datasets(data.days.datasets, { tension: 0.2, pointRadius: 2, spanGaps: true }) },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: scales()
      }
    });
  }

  var platforms = document.getElementById("chart-platforms");
  if (platforms) {
    new window.Chart(platforms, {
      type: "bar",
      data: { labels: data.platforms.labels, datasets: datasets(data.platforms.datasets) },
      options: { responsive: true, maintainAspectRatio: false, scales: scales() }
    });
  }

  // Followers are a level in the thousands: one line on its own axis, not starting at zero, so a
  // month's growth shows.
  var followers = document.getElementById("chart-followers");
  if (followers && data.followers) {
    new window.Chart(followers, {
      type: "line",
      data: {
        labels: data.followers.labels,
        datasets: data.followers.datasets.map(function (item) {
          return {
            label: item.label,
            data: item.data,
            backgroundColor: colours[1],
            borderColor: colours[1],
            tension: 0.2,
            pointRadius: 2,
            spanGaps: true
          };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: false, ticks: { precision: 0 } } }
      }
    });
  }
})();
