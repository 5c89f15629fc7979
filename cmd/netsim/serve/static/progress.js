// Progress only: the form and the results work without JavaScript (the page then
// reloads itself every two seconds while a campaign runs). With it, the page follows
// the campaign's event stream, keeps sliders and number boxes together, and reloads
// once the campaign has finished.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input.slider").forEach(function (slider) {
    var box = document.getElementById(slider.dataset.target);
    slider.addEventListener("input", function () {
      box.value = slider.value + slider.dataset.suffix;
    });
    box.addEventListener("input", function () {
      var n = parseFloat(box.value);
      if (!isNaN(n)) { slider.value = n; }
    });
  });
  var progress = document.getElementById("progress");
  if (!progress || !window.EventSource) { return; }
  var bar = document.getElementById("bar");
  var status = document.getElementById("status");
  var events = new EventSource(progress.dataset.events);
  events.addEventListener("progress", function (e) {
    var p = JSON.parse(e.data);
    bar.max = p.total;
    bar.value = p.done;
    if (p.state === "queued") {
      status.textContent = "Waiting: " + p.ahead + " campaigns ahead.";
    } else {
      var text = p.done + " of " + p.total + " runs";
      if (p.runs_per_s > 0) {
        text += ", " + p.runs_per_s.toPrecision(3) + " runs/s, about " + p.left + " left";
      }
      status.textContent = text + ".";
    }
  });
  events.addEventListener("done", function () {
    events.close();
    window.location.reload();
  });
});
