/* Nothing typed is lost.
 *
 * A form with data-autosave-key="<key>" keeps a copy of its fields in this browser's
 * localStorage on every keystroke, and drops the copy when the server confirms a save
 * (an htmx response with status 200 and data-saved="true" in the swapped status, or a
 * the next page whose data-server-saved-at is later than the copy). When the page opens
 * and a newer copy is still there (the tab was closed, the session expired, the network
 * failed), the fields are filled from it and a notice says so. An htmx answer 401 means the session expired:
 * the notice asks to log in in another tab; the copy stays.
 */
(function () {
  "use strict";
  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.type !== "file" && el.type !== "submit" && el.type !== "hidden";
    });
  }
  function snapshot(form) {
    var data = {};
    fields(form).forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) { (data[el.name] = data[el.name] || []).push(el.value); }
        else { data[el.name] = data[el.name] || []; }
      } else { data[el.name] = el.value; }
    });
    return data;
  }
  function restore(form, data) {
    fields(form).forEach(function (el) {
      if (!(el.name in data)) return;
      var value = data[el.name];
      if (el.type === "checkbox" || el.type === "radio") { el.checked = value.indexOf(el.value) !== -1; }
      else { el.value = value; }
    });
  }
  function notice(form, text, kind) {
    var box = form.querySelector("[data-autosave-notice]");
    if (!box) return;
    box.className = "alert alert-" + (kind || "info");
    box.textContent = text;
    box.hidden = false;
  }
  function setup(form) {
    var key = "icon-autosave:" + form.getAttribute("data-autosave-key");
    var stored = null;
    try { stored = JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { stored = null; }
    var serverSavedAt = parseInt(form.getAttribute("data-server-saved-at") || "0", 10);
    if (stored && stored.data && stored.at <= serverSavedAt) {
      // The server saved after this copy was taken (a normal submit that went through).
      window.localStorage.removeItem(key);
    } else if (stored && stored.data) {
      restore(form, stored.data);
      notice(form, form.getAttribute("data-restored-text"), "warning");
      // Send the restored values once htmx has set the form up (its script is deferred
      // and starts after this one).
      window.setTimeout(function () { form.dispatchEvent(new Event("change", { bubbles: true })); }, 0);
    }
    form.addEventListener("input", function () {
      try { window.localStorage.setItem(key, JSON.stringify({ at: Date.now(), data: snapshot(form) })); } catch (e) { /* storage full or off */ }
    });
    form.addEventListener("change", function () {
      try { window.localStorage.setItem(key, JSON.stringify({ at: Date.now(), data: snapshot(form) })); } catch (e) { /* ignore */ }
    });
    form.addEventListener("htmx:afterRequest", function (event) {
      var xhr = event.detail.xhr;
      if (xhr && xhr.status === 401) {
        notice(form, form.getAttribute("data-expired-text"), "danger");
      } else if (!xhr || xhr.status === 0 || xhr.status >= 400) {
        // Network down, a stale CSRF token after logging in elsewhere, a server error.
        notice(form, form.getAttribute("data-failed-text"), "danger");
      } else if (xhr && xhr.status === 200 && xhr.responseText.indexOf('data-saved="true"') !== -1) {
        window.localStorage.removeItem(key);
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-autosave-key]").forEach(setup);
  });
})();
