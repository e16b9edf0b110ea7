// Amends: progressive enhancement only. Every <time datetime data-local>
// shows its instant in UTC; where scripts run, the reader's local time is
// appended, e.g. "24 Dec 2012, 20:24 UTC (12:24 local)". Pages work fully
// without this file.
(function () {
  "use strict";

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  var months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  function localText(d) {
    var hm = pad(d.getHours()) + ":" + pad(d.getMinutes());
    var sameDay = d.getFullYear() === d.getUTCFullYear() &&
      d.getMonth() === d.getUTCMonth() &&
      d.getDate() === d.getUTCDate();
    if (sameDay) {
      return hm;
    }
    return d.getDate() + " " + months[d.getMonth()] + ", " + hm;
  }

  function enhance(root) {
    var els = root.querySelectorAll("time[datetime][data-local]");
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      if (el.hasAttribute("data-local-done")) {
        continue;
      }
      var d = new Date(el.getAttribute("datetime"));
      if (isNaN(d.getTime())) {
        continue;
      }
      el.setAttribute("data-local-done", "");
      // Readers whose local time is UTC already see it.
      if (d.getTimezoneOffset() === 0) {
        continue;
      }
      var span = document.createElement("span");
      span.className = "local-time";
      span.textContent = " (" + localText(d) + " local)";
      el.appendChild(span);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      enhance(document);
    });
  } else {
    enhance(document);
  }
})();
