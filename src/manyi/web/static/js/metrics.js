// Draws each metric's trend with its control limits and out-of-control points from the JSON
// embedded in the page (no inline scripts: CSP). Labels come from the server, already translated.
(function () {
  "use strict";
  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function round(v) {
    return v === null || v === undefined ? null : Math.round(v * 10) / 10;
  }
  function drawOne(box, data) {
    var points = data.points || [];
    var labels = data.labels || {};
    var periods = points.map(function (p) { return p.period; });
    var scores = points.map(function (p) {
      var value = p.n > 0 ? round(p.score) : null;
      if (value !== null && p.out_of_control) {
        return { value: value, symbolSize: 11, itemStyle: { color: "#b00020" } };
      }
      return value;
    });
    var flagged = points.filter(function (p) { return p.out_of_control && p.n > 0; });
    var chart = window.echarts.init(box, null, { renderer: "canvas" });
    chart.setOption({
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          var i = items.length ? items[0].dataIndex : 0;
          var p = points[i] || {};
          return [p.period, (labels.score || "score") + ": " + (p.n ? round(p.score) : "–"),
            "n = " + p.n, "[" + round(p.lcl) + ", " + round(p.ucl) + "]",
            p.out_of_control && p.n ? (labels.flagged || "out of control") : ""]
            .filter(Boolean).join("<br>");
        }
      },
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 40, bottom: 32 },
      xAxis: { type: "category", data: periods },
      yAxis: { type: "value", scale: true },
      series: [
        { name: labels.score || "score", type: "line", data: scores, connectNulls: false,
          symbolSize: 6, showAllSymbol: true },
        { name: labels.centre || "centre", type: "line", symbol: "none",
          data: points.map(function () { return round(data.centre); }),
          lineStyle: { type: "solid", width: 1, color: "#6b7380" }, itemStyle: { color: "#6b7380" } },
        { name: labels.lcl || "LCL", type: "line", step: "middle", symbol: "none",
          data: points.map(function (p) { return p.n > 0 ? round(p.lcl) : null; }),
          lineStyle: { type: "dashed", width: 1, color: "#9e0c24" }, itemStyle: { color: "#9e0c24" } },
        { name: labels.ucl || "UCL", type: "line", step: "middle", symbol: "none",
          data: points.map(function (p) { return p.n > 0 ? round(p.ucl) : null; }),
          lineStyle: { type: "dashed", width: 1, color: "#9e0c24" }, itemStyle: { color: "#9e0c24" } },
        { name: labels.flagged || "flagged", type: "scatter", symbolSize: 14,
          itemStyle: { color: "#b00020" },
          data: flagged.map(function (p) { return [p.period, round(p.score)]; }) }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function draw() {
    var data = readJson("metrics-data");
    if (!data || !window.echarts) { return; }
    var boxes = document.querySelectorAll(".metrics-chart");
    Array.prototype.forEach.call(boxes, function (box) {
      var metric = box.getAttribute("data-metric");
      if (data[metric] && data[metric].points && data[metric].points.length) {
        drawOne(box, data[metric]);
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
