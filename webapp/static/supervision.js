// The supervision dashboard's charts (Chart.js, served by the app). The figures come from the page's
// JSON block; a click on a bar or a slice opens the cases behind it. Print buttons print the page.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });

  var source = document.getElementById("supervision-data");
  if (!source || !window.Chart) {
    return; // no charts on this page, or the library is missing: the tables carry the same figures
  }
  var data = JSON.parse(source.textContent);
  var Chart = window.Chart;
  var colours = {
    overdue: "#c8102e", due_soon: "#b06a00", on_track: "#1b6e3a", paused: "#8a94a6",
    opened: "#0b3d91", closed: "#1b6e3a", breached: "#c8102e"
  };
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.animation = false; // calmer, and screenshots show the final figures

  function opener(urls) {
    return function (event, elements) {
      if (elements.length && urls[elements[0].index]) {
        window.location.assign(urls[elements[0].index]);
      }
    };
  }

  function pointer(event, elements) {
    event.native.target.style.cursor = elements.length ? "pointer" : "default";
  }

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) {
      config.options = Object.assign({responsive: true, maintainAspectRatio: false, onHover: pointer}, config.options);
      canvas.parentNode.classList.add("has-chart");
      return new Chart(canvas, config);
    }
    return null;
  }

  function urlsOf(items) {
    return items.map(function (item) { return item.url; });
  }

  draw("chart-status", {
    type: "doughnut",
    data: {
      labels: data.status.map(function (s) { return s.label; }),
      datasets: [{data: data.status.map(function (s) { return s.value; }),
                  backgroundColor: data.status.map(function (s) { return colours[s.key]; })}]
    },
    options: {onClick: opener(urlsOf(data.status)), plugins: {legend: {position: "right"}}}
  });

  draw("chart-breaches", {
    type: "bar",
    data: {
      labels: data.breaches.map(function (b) { return b.label; }),
      datasets: [{label: data.texts.days_overdue, data: data.breaches.map(function (b) { return b.value; }),
                  backgroundColor: colours.overdue}]
    },
    options: {indexAxis: "y", onClick: opener(urlsOf(data.breaches)), plugins: {legend: {display: false}},
              scales: {x: {beginAtZero: true, ticks: {precision: 0}}}}
  });

  draw("chart-compliance", {
    type: "bar",
    data: {
      labels: data.compliance.map(function (c) { return c.label; }),
      datasets: [{label: data.texts.compliance, data: data.compliance.map(function (c) { return c.value; }),
                  backgroundColor: data.compliance.map(function (c) { return c.value < 90 ? colours.overdue : colours.on_track; })}]
    },
    options: {onClick: opener(urlsOf(data.compliance)), plugins: {legend: {display: false}},
              scales: {y: {beginAtZero: true, max: 100}}}
  });

  var trend = data.trend;
  var trendChart = draw("chart-trend", {
    type: "line",
    data: {
      labels: trend.labels,
      datasets: trend.series.map(function (s) {
        return {label: s.label, data: s.values, borderColor: colours[s.key], backgroundColor: colours[s.key], tension: 0.2};
      })
    },
    options: {
      scales: {y: {beginAtZero: true, ticks: {precision: 0}}},
      onClick: function (event, elements) {
        if (elements.length) {
          var series = trend.series[elements[0].datasetIndex];
          window.location.assign(series.urls[elements[0].index]);
        }
      }
    }
  });
  document.documentElement.setAttribute("data-charts", trendChart ? "drawn" : "none");
})();
