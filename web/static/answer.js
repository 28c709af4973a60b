// cnnquiz answer and practice pages: autosave with a preview of what the grader read, submit, practice
// feedback. Progressive enhancement: without this script the pages work as plain forms.
"use strict";

(function () {
  const SAVE_DELAY_MS = 600;

  function localClock(iso) {
    const when = new Date(iso);
    return isNaN(when) ? iso : when.toLocaleTimeString([], {hour: "2-digit", minute: "2-digit", second: "2-digit"});
  }

  async function send(method, url, data) {
    const response = await fetch(url, {
      method: method,
      headers: {"Content-Type": "application/json", "Accept": "application/json"},
      body: JSON.stringify(data),
      credentials: "same-origin",
      referrerPolicy: "no-referrer",
    });
    let body = {};
    try { body = await response.json(); } catch (error) { body = {}; }
    if (!response.ok) {
      throw new Error(body.error || ("the server answered " + response.status));
    }
    return body;
  }

  function answerPage(form) {
    const api = form.dataset.api;
    const pending = new Map();  // column -> timer
    const inFlight = new Map();  // column -> promise

    function status(column, text, failed) {
      const element = document.getElementById("status-" + column);
      element.textContent = text;
      element.classList.toggle("failed", Boolean(failed));
    }

    function showReading(column, result) {
      const box = document.getElementById("read-" + column);
      box.classList.toggle("invalid", !result.valid);
      box.querySelector(".message").textContent = result.message;
      // the preview is MathML printed by the server's HTML printer, which escapes all text it prints
      box.querySelector(".preview").innerHTML = result.preview || "";
    }

    async function save(textarea) {
      const column = textarea.dataset.column;
      pending.delete(column);
      const text = textarea.value;
      status(column, "saving…");
      const url = api + "/" + encodeURIComponent(column);
      const promise = send("PUT", url, {text: text}).then(function (result) {
        showReading(column, result);
        status(column, "saved " + localClock(result.saved_at) + (result.late ? " (late)" : ""));
        textarea.dataset.savedText = text;
      }, function (error) {
        status(column, "not saved: " + error.message, true);
      });
      inFlight.set(column, promise);
      await promise;
    }

    async function flush() {
      for (const [column, timer] of pending) {
        clearTimeout(timer);
        await save(form.querySelector('textarea[data-column="' + column + '"]'));
      }
      await Promise.all(inFlight.values());
    }

    form.querySelectorAll("textarea[data-column]").forEach(function (textarea) {
      textarea.dataset.savedText = textarea.value;
      const status = document.getElementById("status-" + textarea.dataset.column);
      if (status.dataset.savedAt) {
        status.textContent = status.textContent.replace(/\d\d:\d\d:\d\d UTC/, localClock(status.dataset.savedAt));
      }
      textarea.addEventListener("input", function () {
        const column = textarea.dataset.column;
        clearTimeout(pending.get(column));
        pending.set(column, setTimeout(function () { save(textarea); }, SAVE_DELAY_MS));
      });
      textarea.addEventListener("blur", function () {
        if (pending.has(textarea.dataset.column)) {
          clearTimeout(pending.get(textarea.dataset.column));
          save(textarea);
        }
      });
    });

    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      const action = event.submitter ? event.submitter.value : "save";
      form.querySelectorAll("textarea[data-column]").forEach(function (textarea) {
        if (textarea.value !== textarea.dataset.savedText && !pending.has(textarea.dataset.column)) {
          pending.set(textarea.dataset.column, 0);
        }
      });
      await flush();
      if (action !== "submit") { return; }
      const note = document.getElementById("submitted");
      try {
        const result = await send("POST", api + "/submit", {});
        note.textContent = "Submitted at " + localClock(result.submitted_at) + (result.late ? " (late)" : "") +
          ". You may change your answers and submit again until the deadline.";
        note.classList.remove("failed");
      } catch (error) {
        note.textContent = "Not submitted: " + error.message;
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
    const answers = document.getElementById("answers");
    if (answers) { answerPage(answers); }
    const practice = document.getElementById("practice");
    if (practice) { practicePage(practice); }
    const submitted = document.getElementById("submitted");
    if (submitted && submitted.dataset.submittedAt) {
      submitted.textContent = submitted.textContent.replace(/\d\d:\d\d:\d\d UTC/,
                                                            localClock(submitted.dataset.submittedAt));
    }
  });
})();
