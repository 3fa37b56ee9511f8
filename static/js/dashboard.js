/* The dashboard's small behaviours. No inline scripts: this file is loaded with defer. */
(function () {
  "use strict";
  // A refused action (409 someone acted first, 403, 422 bad input) still carries the fresh panel
  // and its message: swap it in instead of dropping it as an error.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 409 || status === 422 || status === 403) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // Anything else (404: it left the user's queue; 500; no network): say so, instead of silently doing nothing.
  function tellFailure(event, key) {
    var live = document.getElementById("petition-live");
    if (!live || !live.contains(event.detail.elt)) return;
    var message = live.querySelector(".dash-notice");
    if (!message) {
      message = document.createElement("p");
      message.className = "msg msg-error dash-notice";
      message.setAttribute("role", "alert");
      live.insertBefore(message, live.firstChild);
    }
    message.textContent = live.dataset[key];
    message.setAttribute("tabindex", "-1");
    message.focus();
  }
  document.addEventListener("htmx:responseError", function (event) {
    tellFailure(event, event.detail.xhr.status === 404 ? "goneMessage" : "failedMessage");
  });
  document.addEventListener("htmx:sendError", function (event) { tellFailure(event, "failedMessage"); });
  // Keep focus where a keyboard user expects it: on the message after an action.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "petition-live") return;
    var live = document.getElementById("petition-live");
    var notice = live && live.querySelector("[role=alert], .errorlist");
    if (notice) {
      notice.setAttribute("tabindex", "-1");
      notice.focus({ preventScroll: false });
    }
  });
})();
