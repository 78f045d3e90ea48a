// Draws the aspect charts of the insights page from the JSON embedded in it (no inline scripts: CSP).
(function () {
  "use strict";
  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function lineChart(box, periods, series, percent) {
    var chart = window.echarts.init(box, null, { renderer: "canvas" });
    chart.setOption({
      tooltip: { trigger: "axis", valueFormatter: function (v) {
        return v === null || v === undefined ? "–" : (percent ? Math.round(v * 100) + "%" : v);
      } },
      legend: { type: "scroll", top: 0 },
      grid: { left: 52, right: 16, top: 40, bottom: 32 },
      xAxis: { type: "category", data: periods },
      yAxis: percent
        ? { type: "value", min: 0, max: 1, axisLabel: { formatter: function (v) { return Math.round(v * 100) + "%"; } } }
        : { type: "value", minInterval: 1 },
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function draw() {
    var data = readJson("aspect-data");
    if (!data || !window.echarts) { return; }
    var mentions = document.getElementById("aspect-mentions-chart");
    var negative = document.getElementById("aspect-negative-chart");
    if (mentions) {
      lineChart(mentions, data.periods, data.series.map(function (s) {
        return { name: s.name, type: "line", data: s.counts };
      }), false);
    }
    if (negative) {
      lineChart(negative, data.periods, data.series.map(function (s) {
        return { name: s.name, type: "line", connectNulls: false, data: s.negative_share };
      }), true);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
