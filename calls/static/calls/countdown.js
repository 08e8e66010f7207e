/* The countdown to a call's deadline (.js-countdown[data-deadline]), in the words of the
 * page's language (the JSON block #countdown-labels); refreshed every 30 seconds. */
(function () {
  "use strict";
  var source = document.getElementById("countdown-labels");
  if (!source) return;
  var labels = JSON.parse(source.textContent);
  function unit(n, pair) { return (n === 1 ? pair[0] : pair[1]).replace("%(n)s", n); }
  function tick() {
    document.querySelectorAll(".js-countdown").forEach(function (el) {
      var left = Math.floor((Date.parse(el.dataset.deadline) - Date.now()) / 60000);
      if (left <= 0) { el.textContent = labels.passed; return; }
      var d = Math.floor(left / 1440), h = Math.floor((left % 1440) / 60), m = left % 60;
      el.textContent = labels.sentence.replace("%(days)s", unit(d, labels.day))
        .replace("%(hours)s", unit(h, labels.hour)).replace("%(minutes)s", unit(m, labels.minute));
    });
  }
  setInterval(tick, 30000);
})();
