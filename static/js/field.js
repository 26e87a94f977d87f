/* Working in the field on a phone: no change is lost to a dropped connection or an ended
   session. Used by the checklist (each item's answer) and the findings page (each finding's
   edit and dismissal).

   A queued form is marked `data-queue` inside a card (`data-card`, with an id: an item, a
   finding); its `data-version` names the field holding the version the change was made
   against. Each change htmx would post is first written to a queue in localStorage, one entry
   per form, then sent from the queue in order. An entry leaves the queue only once the server
   has had its say: saved (200), refused beside its field (400) or in conflict with a
   colleague's change (409); the card is then redrawn from the reply. Offline, after a server
   error or with an ended session (401), entries stay, the card says "not saved", a banner
   counts them, and they are sent again when the connection comes back, when the page is
   opened again (after signing in), or every 20 seconds.

   The server answers 409 if someone changed the card's thing since the version the change
   carries (see inspection.web.inspections). Without this script htmx posts each change
   itself, and without htmx each form is a plain POST. */
(function () {
  "use strict";

  var KEY = "inspection.pending:" + location.pathname;
  var RETRY_MS = 20000;
  var banner = document.getElementById("pending");
  var sending = false;
  var signedOut = false;

  function load() {
    try {
      return JSON.parse(localStorage.getItem(KEY) || "[]").map(function (change) {
        // Kept by an earlier version of this script: an item's answer, "base" its version.
        return change.card ? change : { card: "item-" + change.item, url: change.url, version: "base", fields: change.fields, edit: change.edit };
      });
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

  function formOf(card, url) {
    var element = document.getElementById(card);
    var forms = element ? element.querySelectorAll("form[data-queue]") : [];
    return Array.prototype.filter.call(forms, function (form) { return form.getAttribute("action") === url; })[0];
  }

  function fieldsOf(form, submitter) {
    var fields = [];
    new FormData(form, submitter || null).forEach(function (value, name) {
      // The token is the page's of the moment it is sent; a queued one may have gone stale.
      if (name !== "_csrf_token") fields.push([name, String(value)]);
    });
    return fields;
  }

  function valueOf(fields, name) {
    var found = fields.filter(function (pair) { return pair[0] === name; });
    return found.length ? found[found.length - 1][1] : "";
  }

  function withVersion(fields, name, version) {
    return fields.map(function (pair) { return pair[0] === name ? [name, version] : pair; });
  }

  /* Whether two sets of fields make the same change (the version they stand on aside). */
  function same(one, other, version) {
    var change = function (fields) {
      return JSON.stringify(fields.filter(function (pair) { return pair[0] !== version; }));
    };
    return change(one) === change(other);
  }

  function markUnsaved(change) {
    var form = formOf(change.card, change.url);
    if (!form) return;
    form.closest("[data-card]").classList.add("queued");
    var label = form.querySelector(".unsaved");
    if (label) label.hidden = false;
    var folded = form.closest("details");
    if (folded) folded.open = true;
  }

  /* Put `fields` back in `form`, as they were typed (the version it now shows aside). */
  function fill(form, fields) {
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || input.name === "_csrf_token" || input.name === form.dataset.version) return;
      var given = fields.filter(function (pair) { return pair[0] === input.name; });
      if (input.type === "radio" || input.type === "checkbox") {
        input.checked = given.some(function (pair) { return pair[1] === input.value; });
      } else if (input.type !== "submit") {
        input.value = given.length ? given[given.length - 1][1] : "";
      }
    });
  }

  /* After a reload the page shows what the server has: put the unsent change back in its form. */
  function restore(change) {
    var form = formOf(change.card, change.url);
    if (!form) return;
    fill(form, change.fields);
    markUnsaved(change);
  }

  function show(queue) {
    if (!banner) return;
    banner.hidden = queue.length === 0;
    var text = queue.length === 1 ? banner.dataset.one : banner.dataset.many.replace("{n}", queue.length);
    banner.textContent = signedOut ? text + " " + banner.dataset.signin : text;
  }

  /* One entry per form: a later change replaces the unsent one, keeping its place and the
     version it was made against (the later change was made on top of it, not of the server's). */
  function enqueue(form, submitter) {
    var card = form.closest("[data-card]").id;
    var url = form.getAttribute("action");
    var version = form.dataset.version;
    var queue = load();
    var fields = fieldsOf(form, submitter);
    var earlier = queue.filter(function (change) { return change.url === url; })[0];
    if (earlier) {
      earlier.fields = withVersion(fields, version, valueOf(earlier.fields, version));
      earlier.edit += 1;
    } else {
      queue.push({ card: card, url: url, version: version, fields: fields, edit: 0 });
    }
    save(queue);
    markUnsaved({ card: card, url: url });
  }

  function swap(target, html, style) {
    htmx.swap(target, html, { swapStyle: style });
  }

  /* The server has had its say on `sent`: drop it, unless its form was changed again while it
     was on its way. If `sent` was saved, the card's other changes still queued (that later
     one, another form of the card) now stand on the version just saved, as the redrawn card
     shows it; a refused one saved nothing, so they keep the version they were made on. */
  function settle(sent, saved) {
    var queue = load().filter(function (change) {
      return change.url !== sent.url || change.edit !== sent.edit;
    });
    queue.forEach(function (change) {
      var form = saved && change.card === sent.card ? formOf(change.card, change.url) : null;
      var version = form && form.elements.namedItem(change.version);
      if (version) change.fields = withVersion(change.fields, change.version, version.value);
    });
    save(queue);
  }

  /* Redraw `sent`'s card from the reply, keeping what was typed in its forms meanwhile (a
     note being written; a change still queued) and, once `sent` is saved, queueing it. */
  function redraw(sent, card, html, saved) {
    var typed = {};
    Array.prototype.forEach.call(card.querySelectorAll("form[data-queue]"), function (form) {
      typed[form.getAttribute("action")] = fieldsOf(form);
    });
    swap(card, html, "outerHTML");
    settle(sent, saved);
    var queued = load();
    Object.keys(typed).forEach(function (url) {
      var form = formOf(sent.card, url);
      if (!form) return;
      var waiting = queued.filter(function (change) { return change.url === url; })[0];
      if (waiting && url !== sent.url) {
        restore(waiting);
      } else if (!same(typed[url], url === sent.url ? sent.fields : fieldsOf(form), form.dataset.version)) {
        fill(form, typed[url]);
        if (url === sent.url && saved) enqueue(form);
      }
    });
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
        var card = document.getElementById(change.card);
        if ([200, 400, 409].indexOf(response.status) >= 0 && card && !response.headers.get("HX-Retarget")) {
          redraw(change, card, html, response.status === 200);
        } else {
          // A thing this page no longer has, an inspection already submitted: say so, drop it.
          swap(document.getElementById("messages"), html, "innerHTML");
          settle(change, false);
        }
      }
    } finally {
      sending = false;
      var queue = load();
      show(queue);
      queue.forEach(markUnsaved);
    }
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt.closest && event.detail.elt.closest("form[data-queue]");
    if (!form) return;
    event.preventDefault();
    // The button that sent a form ("Confirm") is part of the change.
    var trigger = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    enqueue(form, trigger && trigger.submitter);
    send();
  });

  window.addEventListener("online", send);
  setInterval(function () { if (load().length) send(); }, RETRY_MS);
  load().forEach(restore);
  show(load());
  send();
})();
