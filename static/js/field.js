/* The checklist on a phone in the field: no answer is lost to a dropped connection or an
   ended session.

   Each change to an item's answer form (what htmx would post) is first written to a queue in
   localStorage, one entry per item, then sent from the queue in order. An entry leaves the
   queue only once the server has had its say: saved (200), refused beside its field (400) or
   in conflict with a colleague's answer (409); the item is then redrawn from the reply.
   Offline, after a server error or with an ended session (401), entries stay, the item says
   "not saved", a banner counts them, and they are sent again when the connection comes back,
   when the page is opened again (after signing in), or every 20 seconds.

   Each entry carries the form's "base" field: when the item was last saved as the form
   knew it. The server answers 409 if someone saved another answer since (see
   inspection.web.inspections). Without this script htmx posts each change itself, and
   without htmx each form is a plain POST. */
(function () {
  "use strict";

  var KEY = "inspection.pending:" + location.pathname;
  var RETRY_MS = 20000;
  var banner = document.getElementById("pending");
  var sending = false;
  var signedOut = false;

  function load() {
    try {
      return JSON.parse(localStorage.getItem(KEY) || "[]");
    } catch (error) {
      return [];
    }
  }

  function save(queue) {
    localStorage.setItem(KEY, JSON.stringify(queue));
    show(queue);
  }

  function token() {
    var input = document.querySelector('input[name="_csrf_token"]');
    return input ? input.value : "";
  }

  function itemOf(code) {
    return document.querySelector('.item[data-item="' + CSS.escape(code) + '"]');
  }

  function fieldsOf(form) {
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      // The token is the page's of the moment it is sent; a queued one may have gone stale.
      if (name !== "_csrf_token") fields.push([name, String(value)]);
    });
    return fields;
  }

  function valueOf(fields, name) {
    var found = fields.filter(function (pair) { return pair[0] === name; });
    return found.length ? found[found.length - 1][1] : "";
  }

  /* Whether two sets of fields give the same answer (the version they stand on aside). */
  function same(one, other) {
    var answer = function (fields) {
      return JSON.stringify(fields.filter(function (pair) { return pair[0] !== "base"; }));
    };
    return answer(one) === answer(other);
  }

  function markUnsaved(code) {
    var item = itemOf(code);
    if (!item) return;
    item.classList.add("queued");
    var label = item.querySelector(".unsaved");
    if (label) label.hidden = false;
  }

  /* After a reload the page shows what the server has: put the unsent change back in its form. */
  function restore(change) {
    var item = itemOf(change.item);
    var form = item && item.querySelector("form.answer");
    if (!form) return;
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || input.name === "_csrf_token" || input.name === "base") return;
      var given = change.fields.filter(function (pair) { return pair[0] === input.name; });
      if (input.type === "radio" || input.type === "checkbox") {
        input.checked = given.some(function (pair) { return pair[1] === input.value; });
      } else if (input.type !== "submit") {
        input.value = given.length ? given[given.length - 1][1] : "";
      }
    });
    markUnsaved(change.item);
  }

  function show(queue) {
    if (!banner) return;
    banner.hidden = queue.length === 0;
    var text = queue.length === 1 ? banner.dataset.one : banner.dataset.many.replace("{n}", queue.length);
    banner.textContent = signedOut ? text + " " + banner.dataset.signin : text;
  }

  /* One entry per item: a later change replaces the unsent one, keeping its place and the
     version it was made against (the later change was made on top of it, not of the server's). */
  function enqueue(form) {
    var code = form.closest(".item").dataset.item;
    var queue = load();
    var fields = fieldsOf(form);
    var earlier = queue.filter(function (change) { return change.item === code; })[0];
    if (earlier) {
      var base = valueOf(earlier.fields, "base");
      earlier.fields = fields.map(function (pair) { return pair[0] === "base" ? ["base", base] : pair; });
      earlier.edit += 1;
    } else {
      queue.push({ item: code, url: form.getAttribute("action"), fields: fields, edit: 0 });
    }
    save(queue);
    markUnsaved(code);
  }

  function swap(target, html, style) {
    htmx.swap(target, html, { swapStyle: style });
  }

  /* The server has had its say on `sent`: drop it, unless the item was changed again while it
     was on its way; that later change stays queued, on the version just saved if `sent` was
     (a refused one saved nothing, so the later change keeps the version it was made on). */
  function settle(sent, savedBase) {
    var queue = load();
    var now = queue.filter(function (change) { return change.item === sent.item; })[0];
    if (now && now.edit !== sent.edit) {
      if (savedBase !== null) {
        now.fields = now.fields.map(function (pair) { return pair[0] === "base" ? ["base", savedBase] : pair; });
      }
      save(queue);
      markUnsaved(sent.item);
      return;
    }
    save(queue.filter(function (change) { return change.item !== sent.item; }));
  }

  async function send() {
    if (sending) return;
    sending = true;
    try {
      for (;;) {
        var change = load()[0];
        if (!change) break;
        var body = new URLSearchParams(change.fields);
        body.append("_csrf_token", token());
        var response;
        try {
          response = await fetch(change.url, {
            method: "POST",
            body: body,
            credentials: "same-origin",
            headers: { "HX-Request": "true", "HX-Current-URL": location.href, "X-CSRFToken": token() },
          });
        } catch (offline) {
          break;
        }
        var html = await response.text();
        if (response.status === 401) {
          // The reply is the message with a link to sign in and come back to this page.
          signedOut = true;
          swap(document.getElementById("messages"), html, "innerHTML");
          break;
        }
        if (response.status >= 500 || response.status === 403) break;
        signedOut = false;
        var item = itemOf(change.item);
        if ([200, 400, 409].indexOf(response.status) >= 0 && item) {
          // The reply redraws the item: what was typed in it while the change was on its way
          // (a note being written) is put back, and, once this change is saved, queued.
          var now = fieldsOf(item.querySelector("form.answer"));
          swap(item, html, "outerHTML");
          var base = itemOf(change.item).querySelector('input[name="base"]');
          settle(change, response.status === 200 && base ? base.value : null);
          if (!same(now, change.fields)) {
            restore({ item: change.item, fields: now });
            if (response.status === 200) enqueue(itemOf(change.item).querySelector("form.answer"));
          }
        } else {
          // An item this page no longer has, an inspection already submitted: say so, drop it.
          swap(document.getElementById("messages"), html, "innerHTML");
          settle(change, null);
        }
      }
    } finally {
      sending = false;
      var queue = load();
      show(queue);
      queue.forEach(function (change) { markUnsaved(change.item); });
    }
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt.closest && event.detail.elt.closest("form.answer");
    if (!form) return;
    event.preventDefault();
    enqueue(form);
    send();
  });

  window.addEventListener("online", send);
  setInterval(function () { if (load().length) send(); }, RETRY_MS);
  load().forEach(restore);
  show(load());
  send();
})();
