// Quiz page: each changed question is saved as soon as it changes, and whatever is not yet saved is sent when the
// page is hidden or left; a polite timer; submission when the time is up.
// Only the questions that changed are sent, each with the version of the saved answer it was based on: the server
// refuses an outdated one (another tab or device saved since) and sends back the newer answer, shown in its place.
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
    var url = form.dataset.saveUrl;
    // Per question: the saved version last confirmed, saves on their way, and whether it changed since.
    var questions = {};
    var inFlight = 0, again = false, done = false, textTimer = null;

    function msg(key) {
      var el = form.querySelector('.quiz-messages [data-msg="' + key + '"]');
      return el ? el.textContent : "";
    }
    function say(el, text) { if (el) { el.textContent = text; } }

    function track(section) {
      var input = section.querySelector("input[data-version]");
      questions[section.dataset.position] = {
        section: section, version: parseInt(input.value, 10) || 0, pending: 0, dirty: false
      };
    }
    Array.prototype.forEach.call(form.querySelectorAll("section.question[data-position]"), track);

    // The version a save is based on: the confirmed one plus this page's own saves still on their way (the
    // server accepts a base ahead of it; it refuses one behind).
    function base(q) { return q.version + q.pending; }
    function showBase(q) { q.section.querySelector("input[data-version]").value = String(base(q)); }

    function dirtyPositions() {
      return Object.keys(questions).filter(function (p) { return questions[p].dirty; });
    }
    // What the page would lose if it went away now: changes not yet sent, and saves still on their way (a
    // navigation may cancel them; sending them again is harmless, as an unchanged answer is no conflict).
    function unsavedPositions() {
      return Object.keys(questions).filter(function (p) { return questions[p].dirty || questions[p].pending; });
    }
    // The state for styles and for anyone waiting on the page: unsaved, saving, saved, offline or conflict.
    function setState(name) { form.dataset.state = name; }

    function payload(positions) {
      var data = new FormData();
      data.append("csrf_token", csrf);
      positions.forEach(function (p) {
        var q = questions[p];
        data.append("shown", p);
        data.append("v" + p, String(base(q)));
        Array.prototype.forEach.call(q.section.querySelectorAll("input, select, textarea"), function (el) {
          if (!el.name || el.name === "shown" || el.hasAttribute("data-version") || el.disabled) { return; }
          if ((el.type === "radio" || el.type === "checkbox") && !el.checked) { return; }
          data.append(el.name, el.value);
        });
      });
      return data;
    }

    function replaceQuestion(p, html) {
      var q = questions[p];
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var fresh = holder.querySelector("section.question");
      if (!q || !fresh) { return; }
      q.section.parentNode.replaceChild(fresh, q.section);
      q.section = fresh;
    }

    function settle(body, positions, response) {
      Object.keys(body.versions || {}).forEach(function (p) {
        if (questions[p]) { questions[p].version = body.versions[p]; }
      });
      (body.conflicts || []).forEach(function (p) {
        p = String(p);
        replaceQuestion(p, (body.questions || {})[p]);
        if (questions[p]) { questions[p].dirty = false; }
      });
      positions.forEach(function (p) { showBase(questions[p]); });
      if (response.status === 409) {
        setState("conflict");
        say(errorBox, msg("conflict"));
        var first = questions[String(body.conflicts[0])];
        if (first) { first.section.scrollIntoView({ block: "center" }); }
        return;
      }
      say(errorBox, "");
      if (inFlight === 1 && !dirtyPositions().length) {  // this save is the last one on its way
        setState("saved");
        // The page's language and the academy's time zone, as everywhere else on the site.
        var time = new Date(body.saved_at).toLocaleTimeString(document.documentElement.lang.split("-")[0] || "kk", {
          hour: "2-digit", minute: "2-digit", second: "2-digit", timeZone: document.body.dataset.timezone || "Asia/Almaty"
        });
        say(status, msg("saved").replace("{time}", time));
      }
    }

    function size(data) {
      var n = 0;
      data.forEach(function (value) { n += String(value).length * 3 + 64; });
      return n;
    }

    // leaving: the page is being hidden or left; send everything it would lose, now (not queued behind another).
    // Saves are sent with keepalive when they fit the browser's quota (64 kB in flight), so a reload or a
    // navigation never cancels them.
    function save(leaving) {
      if (done) { return; }
      var positions = leaving ? unsavedPositions() : dirtyPositions();
      if (!positions.length) { return; }
      if (inFlight && !leaving) { again = true; return; }
      var data = payload(positions);
      positions.forEach(function (p) { questions[p].dirty = false; questions[p].pending += 1; });
      inFlight += 1;
      say(status, msg("saving"));
      setState("saving");
      var request;
      try {
        request = fetch(url, {
          method: "POST", body: data, credentials: "same-origin", keepalive: size(data) < 60000,
          headers: { "X-CSRFToken": csrf, "Accept": "application/json" }
        });
      } catch (e) {  // refused at once by the browser: a beacon carries it instead when the page is going
        request = Promise.reject(e);
        if (leaving && navigator.sendBeacon) {
          data.append("via", "beacon");
          navigator.sendBeacon(url, data);
        }
      }
      request.then(function (response) {
        if (response.status === 409 || response.ok) {
          return response.json().then(function (body) { return { response: response, body: body }; });
        }
        throw new Error(String(response.status));
      }).then(function (result) {
        positions.forEach(function (p) { questions[p].pending -= 1; });
        var body = result.body;
        if (result.response.status === 409 && !body.conflicts) {  // submitted elsewhere, or the time ran out
          done = true;
          say(errorBox, msg("submitted"));
          window.location.reload();
          return;
        }
        if (body.expired && body.review_url) { done = true; window.location.assign(body.review_url); return; }
        settle(body, positions, result.response);
      }).catch(function () {
        positions.forEach(function (p) { questions[p].pending -= 1; questions[p].dirty = true; });
        setState("offline");
        say(errorBox, msg("offline"));
      }).then(function () {
        inFlight -= 1;
        if (again) { again = false; save(); }
      });
    }

    function changed(event) {
      var section = event.target.closest("section.question[data-position]");
      if (!section || !questions[section.dataset.position]) { return false; }
      questions[section.dataset.position].dirty = true;
      setState("unsaved");
      return true;
    }
    // A choice is saved at once; typing is saved after a short pause, and when the field is left.
    form.addEventListener("change", function (e) {
      if (changed(e)) { window.clearTimeout(textTimer); save(); }
    });
    form.addEventListener("input", function (e) {
      if (e.target.matches("input[type=text], textarea") && changed(e)) {
        window.clearTimeout(textTimer);
        textTimer = window.setTimeout(save, 500);
      }
    });
    window.addEventListener("online", function () { save(); });
    // Hidden (another tab, the phone locked, the app switched) or left: send what is not yet saved now.
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { save(true); }
    });
    window.addEventListener("pagehide", function () { save(true); });
    form.addEventListener("submit", function () { done = true; window.clearTimeout(textTimer); });

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
