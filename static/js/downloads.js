/* Background downloads (templates/downloads/): the start form and the progress fragment. No inline scripts. */
(function () {
  "use strict";
  // A refused start (400: the filters are not valid, no studio in the area) carries its message: show it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    // beforeSwap fires on the target (the slot): the form that asked is the request's element.
    var form = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (event.detail.xhr.status === 400 && form && form.closest && form.closest("[data-download]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  function alert(text) {
    var message = document.createElement("p");
    message.className = "msg msg-error";
    message.setAttribute("role", "alert");
    message.textContent = text;
    return message;
  }
  // The job is gone (expired, deleted) or the server failed: stop polling and say so, instead of nothing.
  // A start that failed otherwise (403, 500): say so where the progress would have been.
  document.addEventListener("htmx:responseError", function (event) {
    var elt = event.detail.elt;
    if (!elt || !elt.closest) return;
    var job = elt.closest(".download-job");
    if (job) {
      job.replaceWith(alert(job.dataset.goneMessage));  // polling stops with the element
      return;
    }
    var form = elt.closest("[data-download]");
    var slot = form && document.querySelector(form.getAttribute("hx-target"));
    if (slot) slot.replaceChildren(alert(form.dataset.failedMessage));
  });
  // No network for a moment (htmx:sendError): nothing to do, the next tick polls again.
})();
