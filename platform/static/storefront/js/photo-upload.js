/* Photo uploads on the host's listing page, made nicer: thumbnails as soon as files are
   chosen, files over the size limit refused before anything is sent, a progress bar while
   the rest upload, and the photo list refreshed in place. Without JavaScript the same form
   posts normally. No inline code: the page's CSP allows scripts from this site only. */
(function () {
  "use strict";

  function tooLarge(input) {
    var limit = parseInt(input.dataset.maxBytes, 10);
    return Array.prototype.filter.call(input.files, function (file) {
      return limit && file.size > limit;
    });
  }

  function showPreviews(input, list) {
    list.textContent = "";
    Array.prototype.forEach.call(input.files, function (file) {
      var item = document.createElement("li");
      item.className = "photo-tile photo-tile--pending";
      var image = document.createElement("img");
      image.alt = file.name;
      item.appendChild(image);
      list.appendChild(item);
      var reader = new FileReader();
      reader.onload = function () { image.src = reader.result; };
      reader.readAsDataURL(file);
    });
  }

  function bind(section) {
    var form = section.querySelector("[data-photo-upload]");
    if (!form) { return; }
    var input = form.querySelector("input[type=file]");
    var previews = form.querySelector("[data-photo-previews]");
    var status = form.querySelector("[data-photo-status]");
    var progress = form.querySelector("[data-photo-progress]");

    function refuseLarge() {
      var large = tooLarge(input);
      if (!large.length) { return false; }
      status.textContent = form.dataset.msgTooLarge.replace(
        "%s", large.map(function (file) { return file.name; }).join(", "));
      status.classList.add("upload-status--error");
      return true;
    }

    input.addEventListener("change", function () {
      status.textContent = "";
      status.classList.remove("upload-status--error");
      showPreviews(input, previews);
      refuseLarge();
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!input.files.length) {
        status.textContent = form.dataset.msgChoose;
        return;
      }
      if (refuseLarge()) { return; }
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("X-Photo-Upload", "1");
      request.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) { return; }
        progress.hidden = false;
        progress.value = Math.round((e.loaded * 100) / e.total);
        status.textContent = form.dataset.msgUploading.replace("%s", progress.value);
      });
      request.addEventListener("load", function () {
        if (request.status === 200 || request.status === 400) {
          var holder = document.createElement("div");
          holder.innerHTML = request.responseText;
          var fresh = holder.querySelector("[data-photo-manager]");
          section.replaceWith(fresh);
          bind(fresh);
        } else {
          status.textContent = form.dataset.msgFailed;
        }
      });
      request.addEventListener("error", function () { status.textContent = form.dataset.msgFailed; });
      request.send(new FormData(form));
    });
  }

  document.querySelectorAll("[data-photo-manager]").forEach(bind);
})();
