// cnnquiz answer and practice pages: autosave with a preview of what the grader read, submit, practice
// feedback, times in the reader's time zone. Progressive enhancement: without this script the pages work as
// plain forms (and show their times in UTC).
//
// No answer typed is lost to a restart or a dropped connection: each box's text is sent until the server has
// it, again and again with a growing pause while the server cannot be reached (the page says so), and kept in
// the browser's storage until then, so that a closed tab finds it again; leaving with unsaved answers warns.
"use strict";

(function () {
  const SAVE_DELAY_MS = 600;  // after the last keystroke
  const RETRY_FIRST_MS = 1000;  // then doubled up to RETRY_MAX_MS while the server cannot be reached
  const RETRY_MAX_MS = 8000;
  const WAITING = "not saved yet: will save when the server is back";

  function shown(iso, show) {
    const when = new Date(iso);
    if (isNaN(when)) { return iso; }
    const options = show === "date"
      ? {year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short"}
      : {hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short"};
    return when.toLocaleString([], options);
  }

  function timeElement(iso, show) {
    const element = document.createElement("time");
    element.dateTime = iso;
    element.dataset.show = show;
    element.textContent = shown(iso, show);
    return element;
  }

  function localTimes(root) {  // the server prints UTC; every time on a page is shown in one zone, named
    root.querySelectorAll("time[data-show]").forEach(function (element) {
      element.textContent = shown(element.getAttribute("datetime"), element.dataset.show);
    });
  }

  class Refused extends Error {}  // the server answered no: sending the same again will not help
  class Unreachable extends Error {}  // no answer, or "try again" (5xx, 408, 429): send again later

  async function send(method, url, data) {
    let response;
    try {
      response = await fetch(url, {
        method: method,
        headers: {"Content-Type": "application/json", "Accept": "application/json"},
        body: JSON.stringify(data),
        credentials: "same-origin",
        referrerPolicy: "no-referrer",
      });
    } catch (error) {
      throw new Unreachable("the server cannot be reached");
    }
    let body = {};
    try { body = await response.json(); } catch (error) { body = {}; }
    if (response.ok) { return body; }
    const message = body.error || ("the server answered " + response.status);
    const again = response.status >= 500 || response.status === 408 || response.status === 429;
    throw again ? new Unreachable(message) : new Refused(message);
  }

  function storage() {  // the browser's storage, or null where it is disabled
    try { return window.localStorage; } catch (error) { return null; }
  }

  function answerPage(form) {
    const api = form.dataset.api;
    const boxes = new Map();  // column -> {textarea, saved (the text the server has), sending, timer, refused}
    const connection = document.getElementById("connection");
    let retryDelay = RETRY_FIRST_MS;
    let retryTimer = null;

    function draftKey(column) { return "cnnquiz-draft " + api + " " + column; }

    function keepDraft(box) {
      const store = storage();
      if (!store) { return; }
      try {
        store.setItem(draftKey(box.column), JSON.stringify({text: box.textarea.value, base: box.saved}));
      } catch (error) { /* storage full or refused: the page itself still keeps the text */ }
    }

    function forgetDraft(box) {
      const store = storage();
      if (store) { store.removeItem(draftKey(box.column)); }
    }

    function status(box, parts, failed) {
      const element = document.getElementById("status-" + box.column);
      element.replaceChildren(...parts);
      element.classList.toggle("failed", Boolean(failed));
    }

    function showReading(box, result) {
      const read = document.getElementById("read-" + box.column);
      read.classList.toggle("invalid", !result.valid);
      read.querySelector(".message").textContent = result.message;
      // the preview is MathML printed by the server's HTML printer, which escapes all text it prints
      read.querySelector(".preview").innerHTML = result.preview || "";
    }

    function unsaved() {
      return Array.from(boxes.values()).filter(function (box) { return box.textarea.value !== box.saved; });
    }

    function showConnection(down) {
      connection.textContent = down ? "The server cannot be reached. What you type is kept in this browser " +
        "and saved when the server is back." : "";
      connection.classList.toggle("failed", down);
    }

    // Send the box's text until the server has what the box shows; false if it could not (yet).
    async function attempt(box) {
      while (box.textarea.value !== box.saved) {
        const text = box.textarea.value;
        status(box, ["saving…"]);
        let result;
        try {
          result = await send("PUT", api + "/" + encodeURIComponent(box.column), {text: text});
        } catch (error) {
          if (error instanceof Refused) {
            box.refused = true;
            status(box, ["not saved: " + error.message], true);
          } else {
            status(box, [WAITING], true);
            retryLater();
          }
          return false;
        }
        box.saved = text;
        showReading(box, result);
        status(box, ["saved ", timeElement(result.saved_at, "clock"), result.late ? " (late)" : ""]);
        retryDelay = RETRY_FIRST_MS;
        showConnection(false);
      }
      forgetDraft(box);
      return true;
    }

    function save(box) {
      clearTimeout(box.timer);
      box.timer = null;
      if (!box.sending) {
        box.sending = attempt(box).finally(function () { box.sending = null; });
      }
      return box.sending;
    }

    function retryLater() {
      showConnection(true);
      if (retryTimer) { return; }
      retryTimer = setTimeout(function () {
        retryTimer = null;
        retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
        retryAll();
      }, retryDelay);
    }

    function retryAll() {
      unsaved().forEach(function (box) { if (!box.refused) { save(box); } });
    }

    form.querySelectorAll("textarea[data-column]").forEach(function (textarea) {
      const box = {column: textarea.dataset.column, textarea: textarea, saved: textarea.value, sending: null,
                   timer: null, refused: false};
      boxes.set(box.column, box);
      const store = storage();
      const draft = store ? JSON.parse(store.getItem(draftKey(box.column)) || "null") : null;
      if (draft && draft.text !== box.saved && draft.base === box.saved && !textarea.readOnly) {
        textarea.value = draft.text;  // typed here while the server was away, and nobody saved since
        save(box);
      } else if (draft) {
        forgetDraft(box);  // saved already, or a later answer was saved from elsewhere
      }
      textarea.addEventListener("input", function () {
        box.refused = false;
        keepDraft(box);
        clearTimeout(box.timer);
        box.timer = setTimeout(function () { save(box); }, SAVE_DELAY_MS);
      });
      textarea.addEventListener("blur", function () {
        if (box.timer) { save(box); }
      });
    });

    window.addEventListener("online", retryAll);
    window.addEventListener("beforeunload", function (event) {
      if (unsaved().length) {
        event.preventDefault();
        event.returnValue = "";  // the browser asks whether to leave; the answers stay in its storage anyway
      }
    });

    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      const action = event.submitter ? event.submitter.value : "save";
      const results = await Promise.all(Array.from(boxes.values()).map(function (box) {
        box.refused = false;
        return save(box);
      }));
      if (action !== "submit") { return; }
      const note = document.getElementById("submitted");
      if (results.includes(false)) {
        note.textContent = "Not submitted: some answers are not saved yet (see below each box). Submit again " +
          "once they are.";
        note.classList.add("failed");
        return;
      }
      try {
        const result = await send("POST", api + "/submit", {});
        note.replaceChildren("Submitted at ", timeElement(result.submitted_at, "clock"),
                             (result.late ? " (late)" : "") +
                             ". You may change your answers and submit again until the deadline.");
        note.classList.remove("failed");
      } catch (error) {
        note.textContent = "Not submitted: " + error.message + ". Your answers are kept; submit again in a moment.";
        note.classList.add("failed");
      }
    });
  }

  function practicePage(form) {
    const api = form.dataset.api;
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      const part = event.submitter ? event.submitter.value : null;
      const textareas = form.querySelectorAll("textarea[data-part]");
      for (const textarea of textareas) {
        if (part && textarea.dataset.part !== part) { continue; }
        const box = document.getElementById("feedback-" + textarea.dataset.part);
        box.className = "feedback";
        box.textContent = "checking…";
        try {
          const result = await send("POST", api + "/" + encodeURIComponent(textarea.dataset.part),
                                    {text: textarea.value});
          box.className = "feedback " + result.status;
          box.textContent = "";
          const head = document.createElement("strong");
          head.textContent = result.status;
          const message = document.createElement("pre");
          message.className = "message";
          message.textContent = result.feedback;
          box.append(head, " (score " + result.score + "): ", message);
        } catch (error) {
          box.textContent = "Not checked: " + error.message;
        }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    localTimes(document);
    const answers = document.getElementById("answers");
    if (answers) { answerPage(answers); }
    const practice = document.getElementById("practice");
    if (practice) { practicePage(practice); }
    // LTI deep linking: the signed answer goes back to the LMS without a click (the button stays for no script)
    document.querySelectorAll("form[data-autosubmit]").forEach(function (form) { form.submit(); });
  });
})();
