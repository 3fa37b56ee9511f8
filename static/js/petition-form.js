/* The request form on a studio's page: character count, location (only if the citizen allows it),
   one tap only on "send". No dependencies; loaded with defer. The server checks everything again. */
(function () {
  "use strict";
  var form = document.querySelector("[data-petition-form]");
  if (!form) return;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  /* Characters as a person counts them (你 = 1, 👍🏽 = 1), like petitions/forms.py text_length(). */
  var segmenter = (window.Intl && Intl.Segmenter) ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;
  function countChars(text) {
    text = text.trim();
    if (!text) return 0;
    if (segmenter) { var n = 0; for (var _ of segmenter.segment(text)) n++; return n; }
    return Array.from(text).length;
  }

  var text = form.querySelector("textarea[name=text]");
  var counter = document.getElementById("id_text_count");
  if (text && counter) {
    var min = parseInt(text.dataset.min, 10), max = parseInt(text.dataset.max, 10);
    var update = function () {
      var n = countChars(text.value);
      var values = { count: n.toLocaleString(), min: min, max: max.toLocaleString() };
      if (n === 0) { counter.hidden = true; return; }
      counter.hidden = false;
      var state = n < min ? "short" : (n > max ? "long" : "ok");
      counter.textContent = fill(counter.dataset["msg" + state.charAt(0).toUpperCase() + state.slice(1)], values);
      counter.classList.toggle("over", state === "long");
    };
    text.addEventListener("input", update);
    update();
  }

  /* Location: a button the citizen presses; nothing is asked before. */
  var geo = form.querySelector("[data-geo]");
  var status = form.querySelector("[data-geo-status]");
  var lat = form.querySelector("input[name=latitude]"), lon = form.querySelector("input[name=longitude]");
  if (geo && status && lat && lon && navigator.geolocation && window.isSecureContext !== false) {
    var button = geo.querySelector("[data-geo-button]"), clear = geo.querySelector("[data-geo-clear]");
    geo.hidden = false;
    var say = function (key) { status.textContent = status.dataset["msg" + key]; };
    var showClear = function () { clear.hidden = !(lat.value && lon.value); };
    showClear();
    button.addEventListener("click", function () {
      button.disabled = true;
      say("Asking");
      navigator.geolocation.getCurrentPosition(function (pos) {
        lat.value = pos.coords.latitude.toFixed(6);
        lon.value = pos.coords.longitude.toFixed(6);
        button.disabled = false;
        say("Added");
        showClear();
      }, function (err) {
        button.disabled = false;
        say(err && err.code === 1 ? "Denied" : "Failed");
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
    clear.addEventListener("click", function () {
      lat.value = ""; lon.value = "";
      say("Removed");
      showClear();
    });
  }

  /* The chosen photos, shown small, so that the citizen sees what will be sent. Read as data: URLs,
     which the Content-Security-Policy allows for images (blob: is not). */
  var photoInput = form.querySelector("input[type=file]"), previews = form.querySelector("[data-photo-previews]");
  if (photoInput && previews && window.FileReader) {
    photoInput.addEventListener("change", function () {
      previews.textContent = "";
      var files = Array.prototype.slice.call(photoInput.files || []);
      previews.hidden = !files.length;
      files.forEach(function (file) {
        var item = document.createElement("li"), img = document.createElement("img");
        img.alt = "";
        var reader = new FileReader();
        reader.addEventListener("load", function () { img.src = reader.result; });
        reader.readAsDataURL(file);
        var name = document.createElement("span");
        name.textContent = file.name + " · " + Math.max(1, Math.round(file.size / 1024)) + " KB";
        item.appendChild(img); item.appendChild(name); previews.appendChild(item);
      });
      if (files.length) previews.setAttribute("aria-label", fill(previews.dataset.msgChosen, { count: files.length }));
    });
  }

  /* One tap only: a second tap while sending does nothing (the server also ignores a repeat). */
  var sending = false;
  var progress = form.querySelector("[data-upload-progress]");
  function resetSubmit() {
    sending = false;
    var submit = form.querySelector("[data-submit]");
    if (submit) { submit.disabled = false; if (submit.dataset.label) submit.textContent = submit.dataset.label; }
  }
  /* With photos chosen, send through XMLHttpRequest so the citizen sees the upload move (a slow phone
     connection can take a while); the answer is then shown as a normal page. Without photos, or without
     FormData, the browser posts the form itself. */
  function sendWithProgress() {
    var files = form.querySelector("input[type=file]");
    if (!progress || !files || !files.files || !files.files.length || !window.FormData) return false;
    var bar = progress.querySelector("progress"), label = progress.querySelector("[data-upload-label]");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    progress.hidden = false;
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) return;
      var percent = Math.round(100 * e.loaded / e.total);
      bar.value = percent;
      label.textContent = fill(progress.dataset.msgUploading, { percent: percent });
    });
    xhr.upload.addEventListener("load", function () {
      bar.value = 100;
      label.textContent = progress.dataset.msgSaving;
    });
    xhr.addEventListener("load", function () {
      if (xhr.responseURL && xhr.responseURL.split("#")[0] !== form.action.split("#")[0]) {
        window.location.assign(xhr.responseURL);  /* redirected to the success page */
        return;
      }
      document.open();  /* the form again, with its messages (bad input, too many requests) */
      document.write(xhr.responseText);
      document.close();
    });
    xhr.addEventListener("error", function () {
      progress.hidden = false;
      bar.value = 0;
      label.textContent = progress.dataset.msgFailed;
      resetSubmit();
    });
    xhr.send(new FormData(form));
    return true;
  }
  form.addEventListener("submit", function (event) {
    if (sending) { event.preventDefault(); return; }
    sending = true;
    var submit = form.querySelector("[data-submit]");
    if (submit) {
      submit.dataset.label = submit.dataset.label || submit.textContent;
      submit.disabled = true;
      submit.textContent = submit.dataset.sending;
    }
    if (sendWithProgress()) event.preventDefault();
  });
  /* Coming back with the browser's back button: the form works again. */
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    resetSubmit();
    if (progress) progress.hidden = true;
  });

  var problems = document.getElementById("form-problems");
  if (problems) problems.focus();
})();
