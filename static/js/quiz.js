// Quiz page: autosave as the learner answers, a polite timer, and submission when the time is up.
// Progressive enhancement: without this file the page saves with its "Save answers" button and the server
// enforces the time limit on its own clock.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  ready(function () {
    var form = document.getElementById("quiz-form");
    if (!form) { return; }
    var status = form.querySelector("[data-save-status]");
    var errorBox = form.querySelector("[data-save-error]");
    var csrf = form.querySelector("input[name=csrf_token]").value;
    var timer = null, inFlight = false, again = false, dirty = false, done = false;
    function msg(key) {
      var el = form.querySelector('.quiz-messages [data-msg="' + key + '"]');
      return el ? el.textContent : "";
    }

    function say(el, text) { if (el) { el.textContent = text; } }

    function formData() {
      var data = new FormData(form);
      data.delete("next");
      return data;
    }

    function save() {
      if (done) { return; }
      if (inFlight) { again = true; return; }
      inFlight = true; dirty = false;
      say(status, msg("saving"));
      fetch(form.dataset.saveUrl, {
        method: "POST", body: formData(), credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, "Accept": "application/json" }
      }).then(function (response) {
        if (response.status === 409) {  // submitted elsewhere (another tab, or the time ran out)
          done = true;
          say(errorBox, msg("submitted"));
          window.location.reload();
          return null;
        }
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(function (body) {
        if (!body) { return; }
        if (body.expired && body.review_url) { done = true; window.location.assign(body.review_url); return; }
        // The page's language and the academy's time zone, as everywhere else on the site.
        var time = new Date(body.saved_at).toLocaleTimeString(document.documentElement.lang.split("-")[0] || "kk", {
          hour: "2-digit", minute: "2-digit", second: "2-digit", timeZone: document.body.dataset.timezone || "Asia/Almaty"
        });
        say(status, msg("saved").replace("{time}", time));
        say(errorBox, "");
      }).catch(function () {
        dirty = true;
        say(errorBox, msg("offline"));
      }).then(function () {
        inFlight = false;
        if (again) { again = false; save(); }
      });
    }

    function soon() {
      dirty = true;
      window.clearTimeout(timer);
      timer = window.setTimeout(save, 800);
    }

    form.addEventListener("change", soon);
    form.addEventListener("input", function (e) {
      if (e.target.matches("input[type=text], textarea")) { soon(); }
    });
    window.addEventListener("online", function () { if (dirty) { save(); } });
    // Leaving or reloading the page: send what is not yet saved (the form carries its CSRF token).
    window.addEventListener("pagehide", function () {
      if (dirty && !done && navigator.sendBeacon) {
        var data = formData();
        data.append("via", "beacon");
        navigator.sendBeacon(form.dataset.saveUrl, data);
      }
    });
    form.addEventListener("submit", function () { done = true; window.clearTimeout(timer); });

    // The timer: a visible clock, and a polite announcement only at a few thresholds.
    var box = form.querySelector(".quiz-timer[data-seconds-left]");
    if (!box) { return; }
    var clock = box.querySelector("[data-clock]");
    var announce = box.querySelector("[data-timer-announce]");
    var end = Date.now() + parseInt(box.dataset.secondsLeft, 10) * 1000;
    var thresholds = [30, 10, 5, 1];
    var spoken = {};
    thresholds.forEach(function (m) { if (parseInt(box.dataset.secondsLeft, 10) <= m * 60) { spoken[m] = true; } });

    function pad(n) { return (n < 10 ? "0" : "") + n; }
    function tick() {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      clock.textContent = (h ? h + ":" + pad(m) : m) + ":" + pad(s);
      thresholds.forEach(function (t) {
        if (!spoken[t] && left <= t * 60 && left > 0) {
          spoken[t] = true;
          say(announce, t === 1 ? msg("minute") : msg("minutes").replace("{n}", t));
        }
      });
      if (left <= 0) {
        say(announce, msg("timeup"));
        done = true;
        form.action = form.dataset.submitUrl;
        form.submit();
        return;
      }
      window.setTimeout(tick, 1000);
    }
    tick();
  });
})();
