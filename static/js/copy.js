/* "Copy the code" buttons: <button data-copy="TEXT" data-copied="..." data-failed="..." hidden>. */
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.hidden = false;
    var label = button.textContent;
    var done = function (key) {
      button.textContent = button.dataset[key];
      setTimeout(function () { button.textContent = label; }, 2500);
    };
    button.addEventListener("click", function () {
      var text = button.dataset.copy;
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { done("copied"); }, function () { done("failed"); });
        return;
      }
      /* Plain http (an intranet): the old way. */
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed"; area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      done(ok ? "copied" : "failed");
    });
  });
})();
