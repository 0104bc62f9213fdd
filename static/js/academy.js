// Kelisim Academy: small progressive enhancements (no framework). Pages work without this file.
(function () {
  "use strict";
  // Remember the lesson the learner opened, for "resume where you left off" (POST with the CSRF header).
  document.addEventListener("DOMContentLoaded", function () {
    var lesson = document.querySelector("article.lesson[data-seen-url]");
    if (lesson && lesson.dataset.seenUrl) {
      fetch(lesson.dataset.seenUrl, {
        method: "POST", credentials: "same-origin",
        headers: { "X-CSRFToken": lesson.dataset.csrf, "X-Requested-With": "fetch" }
      }).catch(function () { /* offline: the next completed lesson records the position anyway */ });
    }
  });
})();
