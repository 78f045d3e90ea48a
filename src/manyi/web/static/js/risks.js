// Draws the churn-risk page's charts from the JSON embedded in the page (no inline scripts: CSP).
(function () {
  "use strict";
  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function money(value) {
    return Math.round(value).toLocaleString();
  }
  function drawTiers(data, labels) {
    var box = document.getElementById("tier-chart");
    if (!box) { return null; }
    var chart = window.echarts.init(box, null, { renderer: "canvas" });
    chart.setOption({
      tooltip: { trigger: "axis", valueFormatter: money },
      legend: { top: 0 },
      grid: { left: 72, right: 16, top: 40, bottom: 32 },
      xAxis: { type: "category", data: data.tiers.map(function (r) { return labels.tiers[r.tier] || r.tier; }) },
      yAxis: { type: "value" },
      series: [
        { name: labels.var, type: "bar", data: data.tiers.map(function (r) { return r.value_at_risk; }) },
        { name: labels.clv, type: "bar", data: data.tiers.map(function (r) { return r.clv; }) }
      ]
    });
    return chart;
  }
  function drawChurn(data, labels) {
    var box = document.getElementById("churn-chart");
    if (!box) { return null; }
    var bins = data.churn_histogram.map(function (_, i) { return (i * 10) + "–" + (i * 10 + 10) + "%"; });
    var chart = window.echarts.init(box, null, { renderer: "canvas" });
    chart.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 56, right: 16, top: 24, bottom: 32 },
      xAxis: { type: "category", data: bins },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: labels.customers, type: "bar", data: data.churn_histogram }]
    });
    return chart;
  }
  function draw() {
    var data = readJson("risk-chart-data");
    var labels = readJson("risk-chart-labels");
    if (!data || !labels || !window.echarts) { return; }
    var charts = [drawTiers(data, labels), drawChurn(data, labels)].filter(Boolean);
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
