/* Draws each chart of the pack as SVG from its Vega-Lite specification, in the page, with the
   Vega and Vega-Lite scripts inlined above (no network). The SVG is Vega's own (as
   view.toSVG writes it), hidden from assistive technology: its container, an image, carries
   the chart's description in words. When every chart is drawn (or has failed, leaving a note
   beside its description) the root element's data-charts attribute says "drawn" (or
   "failed") and the performance timeline has a "pack-charts-drawn" mark, for printing, tests
   and the render benchmark. The charts are drawn together, not one a task with the page
   laid out between them (measured slower in all). */
(function () {
  "use strict";
  var root = document.documentElement;
  var images = document.querySelectorAll(".pack-chart__image[data-spec]");
  var failed = 0;

  function draw(image) {
    var source = document.getElementById(image.getAttribute("data-spec"));
    var spec = JSON.parse(source.textContent);
    var view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: "none" });
    return view.toSVG().then(function (svg) {
      view.finalize();
      image.insertAdjacentHTML(
        "afterbegin",
        svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ')
      );
    });
  }

  function fail(image, error) {
    failed += 1;
    var note = document.createElement("p");
    note.className = "nhsuk-body-s pack-chart__failed";
    note.textContent = "This chart could not be drawn here; its description and table below say what it shows.";
    image.appendChild(note);
    if (window.console) { window.console.error(image.getAttribute("data-spec"), error); }
  }

  function drawAll() {
    var drawn = Array.prototype.map.call(images, function (image) {
      return Promise.resolve(image).then(draw).catch(function (error) { fail(image, error); });
    });
    Promise.all(drawn).then(function () {
      if (window.performance && window.performance.mark) {
        window.performance.mark("pack-charts-drawn");
      }
      root.setAttribute("data-charts", failed ? "failed" : "drawn");
    });
  }

  root.setAttribute("data-charts", "drawing");
  /* after the first paint: the text of the page shows at once, the charts a moment later */
  window.setTimeout(drawAll, 0);
})();
