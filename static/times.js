/* Times in the reader's own zone. The server writes times in the zone of a logged-in
   person's country, or in UTC (labelled) for visitors, whose pages are shared by all of
   them; for those, this turns each <time datetime="...Z"> into the browser's zone and
   names that zone where the page said "UTC". Without it the page stays right, in UTC. */
(function () {
  "use strict";
  var html = document.documentElement;
  var STYLES = {
    full: {weekday: "long", day: "numeric", month: "long", year: "numeric",
           hour: "2-digit", minute: "2-digit", timeZoneName: "short"},
    datetime: {day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit"},
    time: {hour: "2-digit", minute: "2-digit"},
    "short": {dateStyle: "short", timeStyle: "short"}
  };

  function local(scope) {
    if (!window.Intl) return;
    scope.querySelectorAll("time[datetime]").forEach(function (t) {
      var when = new Date(t.getAttribute("datetime"));
      var style = STYLES[t.getAttribute("data-local")] || STYLES["short"];
      if (isNaN(when)) return;
      try {
        var text = new Intl.DateTimeFormat(html.lang || undefined, style).format(when);
      } catch (e) { return; }
      if (!t.title) t.title = t.textContent.trim();  // what the server said stays at hand
      t.textContent = text;
    });
  }

  window.forumLocalTimes = local;  // live.js passes what arrives live through it too
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!html.hasAttribute("data-utc") || !zone || /^(Etc\/)?UTC$/.test(zone)) return;
  document.addEventListener("DOMContentLoaded", function () {
    local(document);
    document.querySelectorAll("[data-tz-label]").forEach(function (el) {
      el.textContent = zone.replace(/_/g, " ");
    });
  });
})();
