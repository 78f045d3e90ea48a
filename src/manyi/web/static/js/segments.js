// Draws the segment-migration Sankey from the JSON embedded in the page (no inline scripts: CSP).
(function () {
  "use strict";
  function draw() {
    var box = document.getElementById("sankey-chart");
    var el = document.getElementById("sankey-data");
    if (!box || !el || !window.echarts) { return; }
    var data = JSON.parse(el.textContent);
    if (!data || !data.links || !data.links.length) { return; }
    var chart = window.echarts.init(box, null, { renderer: "canvas" });
    chart.setOption({
      tooltip: { trigger: "item", triggerOn: "mousemove" },
      series: [{
        type: "sankey",
        data: data.nodes,
        links: data.links,
        nodeAlign: "justify",
        emphasis: { focus: "adjacency" },
        lineStyle: { color: "gradient", curveness: 0.5, opacity: 0.35 },
        label: { fontSize: 12 },
        left: 8, right: 190, top: 8, bottom: 8
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
