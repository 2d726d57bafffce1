// Optional: tells the visitor when the page itself is old, by their own clock.
// Without JavaScript the page still shows when it was built.
(function () {
  "use strict";
  var root = document.documentElement;
  var built = Date.parse(root.getAttribute("data-generated") || "");
  var limit = parseInt(root.getAttribute("data-stale-after") || "15", 10);
  var box = document.getElementById("freshness");
  var text = document.getElementById("freshness-text");
  if (isNaN(built) || !box || !text) { return; }
  var minutes = Math.floor((Date.now() - built) / 60000);
  if (minutes > limit) {
    box.classList.add("is-stale");
    var age = minutes >= 120 ? Math.floor(minutes / 60) + " hours" : minutes + " minutes";
    text.textContent = "This page has not been updated for " + age +
      ": the services may have changed since. It was last updated " +
      new Date(built).toUTCString().replace("GMT", "UTC") + ".";
  }
}());
