/* Behaviour of every page, kept out of the templates so the Content-Security-Policy can
 * forbid inline scripts and style attributes:
 * - <select data-submit-on-change>: submits its form when the choice changes (the
 *   language switch; a <noscript> button does the same without JavaScript);
 * - <button data-confirm="question">: asks before the form is sent;
 * - <div data-progress="42">: a progress bar's width, also in content htmx swaps in.
 */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-submit-on-change]") && target.form) {
      target.form.submit();
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  function widths(root) {
    (root || document).querySelectorAll("[data-progress]").forEach(function (bar) {
      var value = parseInt(bar.getAttribute("data-progress"), 10) || 0;
      bar.style.width = Math.max(0, Math.min(100, value)) + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { widths(document); });
  document.addEventListener("htmx:load", function (event) { widths(event.target); });
})();
