// Draws the feedback-by-month chart from the JSON embedded in the page (no inline scripts: CSP).
(function () {
  "use strict";
  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function draw() {
    var box = document.getElementById("feedback-chart");
    var data = readJson("overview-data");
    var labels = readJson("channel-labels") || {};
    if (!box || !data || !window.echarts) { return; }
    var chart = window.echarts.init(box, null, { renderer: "canvas" });
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 48, right: 16, top: 40, bottom: 32 },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", minInterval: 1 },
      series: data.series.map(function (s) {
        return { name: labels[s.channel] || s.channel, type: "bar", stack: "all", data: s.counts };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
