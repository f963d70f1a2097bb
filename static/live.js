/* Live updates for pages that show changing content (see README, "Live updates").
   The page works without this file: forms post and redirect. This adds what others post,
   in place, without a reload; resumes after a dropped link from the last event seen; and
   keeps what you are typing (in this browser's storage) across reloads and drops. */
(function () {
  "use strict";
  var page = document.querySelector("[data-live-room]");
  keepDrafts();
  if (!page || typeof io !== "function") return;

  var room = page.getAttribute("data-live-room");
  var sort = page.getAttribute("data-live-sort") || "";
  // an empty data-live-after (a sheet page, cached per version): count from the first join
  var fromJoin = page.getAttribute("data-live-after") === "";
  var last = parseInt(page.getAttribute("data-live-after") || "0", 10);
  var version = parseInt(page.getAttribute("data-live-version") || "0", 10);
  var seen = {};
  var meEl = document.querySelector("[data-me]");
  var me = meEl ? parseInt(meEl.getAttribute("data-me"), 10) : 0;
  var tokenEl = document.querySelector("input[name=csrf_token]");
  var token = tokenEl ? tokenEl.value : "";
  var pending = {};  // post id -> html held back while someone types inside that post

  var socket = io("/live", {reconnectionDelay: 1000, reconnectionDelayMax: 30000});
  socket.on("connect", function () {
    socket.emit("join", {room: room}, function (ack) {
      if (!ack || !ack.ok) return;
      page.setAttribute("data-live-joined", "");  // the room is live here (and tests wait on it)
      if (fromJoin) { fromJoin = false; last = Math.max(last, ack.last_id); return; }
      if (ack.last_id > last) socket.emit("resume", {room: room, after: last});
    });
  });
  socket.on("disconnect", function () { page.removeAttribute("data-live-joined"); });
  socket.on("event", function (ev) {
    if (!ev || ev.room !== room || seen[ev.id]) return;
    seen[ev.id] = true;
    if (ev.id > last) last = ev.id;
    apply(ev);
  });
  socket.on("reset", function (msg) {
    var said = document.getElementById("live-reset");
    if (msg && msg.room === room && said) notice(said.content.firstElementChild.cloneNode(true));
  });
  socket.on("presence", function (msg) {
    var el = document.querySelector("[data-live-presence]");
    if (!el || !msg || msg.room !== room) return;
    el.querySelector("strong").textContent = msg.count;
    el.hidden = false;
  });
  socket.on("unread", function (msg) {
    var link = document.querySelector("a[href='/avisos']");
    if (!link || !msg) return;
    var count = link.querySelector(".count");
    if (!msg.count) { if (count) count.remove(); return; }
    if (!count) { count = document.createElement("span"); count.className = "count"; link.append(" ", count); }
    count.textContent = msg.count;
  });

  function apply(ev) {
    var d = ev.data || {};
    if (d.balance_html !== undefined) swap(document.getElementById("balance"), d.balance_html);
    if (ev.type === "question.supported") return supported(d);
    if (d.unit === "card") return upsert("card-" + d.post_id, d, d.html, null);
    if (d.unit === "post") return post(d);
    if (d.version && d.version <= version) return;  // this page already shows that version
    if (d.html) notice(fragment(d.html));
  }

  function fragment(html) {
    var t = document.createElement("template");
    t.innerHTML = html.split("\u0000csrf\u0000").join(token).trim();
    localTimes(t.content);
    return t.content.firstElementChild;
  }

  function swap(old, html) {
    if (!old) return;
    var el = fragment(html);
    if (el) old.replaceWith(el);
  }

  function typingIn(el) {
    var areas = el.querySelectorAll("textarea, input[type=text]");
    for (var i = 0; i < areas.length; i++) {
      if (areas[i].value || areas[i] === document.activeElement) return true;
    }
    return false;
  }

  function supported(d) {
    var el = document.getElementById("post-" + d.post_id);
    if (!el) return post(d);
    var count = el.querySelector("button .count");
    if (count) count.textContent = d.support_count;
    var label = el.querySelector(".support-label");  // the author's and a visitor's count
    if (label && d.support_label) label.textContent = d.support_label;
    el.setAttribute("data-support", d.support_count);
    if (sort === "support") reorder();
  }

  // My post was hidden or set aside by a facilitator: it stays on my page, marked, as a
  // reload would show it (the reason is in my notices, not sent to everyone's page).
  function ownStatus(el, status) {
    var said = document.getElementById("live-own-" + status);
    if (!said) return false;
    if (!el.querySelector(".own-status")) {
      el.querySelector("header, h3").after(said.content.firstElementChild.cloneNode(true));
    }
    return true;
  }

  function reorder() {
    var list = document.querySelector("[data-live-list]");
    if (!list) return;
    var items = Array.prototype.slice.call(list.children).filter(function (li) { return li.id; });
    items.sort(function (a, b) { return support(b) - support(a); });
    items.forEach(function (li) { list.appendChild(li); });
  }

  function support(li) {
    var el = li.querySelector("article[data-support]");  // also questions without a button
    return el ? parseInt(el.getAttribute("data-support"), 10) || 0 : 0;
  }

  function post(d) {
    var el = document.getElementById("post-" + d.post_id);
    if (el && d.author_id === me) {  // my own post keeps my buttons: take only its text
      if (!d.html) { ownStatus(el, d.status); return; }  // others lose it; I see it marked
      var fresh = fragment(d.html);
      var said = el.querySelector(".own-status");
      if (said) said.remove();
      ["header .meta", ".prose"].forEach(function (sel) {
        var a = el.querySelector(sel), b = fresh.querySelector(sel);
        if (a && b) a.replaceWith(b);
      });
      return;
    }
    if (el && d.html && typingIn(el)) {  // never disturb what someone is typing
      pending[d.post_id] = d;
      el.addEventListener("focusout", function later() {
        if (typingIn(el) || !pending[d.post_id]) return;
        el.removeEventListener("focusout", later);
        var held = pending[d.post_id]; delete pending[d.post_id];
        post(held);
      });
      return;
    }
    if (el) {
      var li = el.closest("li");
      if (!d.html) { (li && li.id === "item-" + d.post_id ? li : el).remove(); return; }
      el.replaceWith(fragment(d.html));
      return;
    }
    if (d.html) insert(d);
  }

  function upsert(id, d, html, parent) {
    var old = document.getElementById(id);
    if (old) {
      if (html) old.replaceWith(fragment(html));
      else if (!(d.author_id === me && ownStatus(old, d.status))) old.remove();  // mine: marked
      return;
    }
    if (!html) return;
    var list = parent || document.querySelector("[data-live-list]");
    if (!list) return;
    var el = fragment(html);
    el.classList.add("live-new");
    placeholder(list);
    if (sort === "time") list.prepend(el); else list.append(el);
  }

  function placeholder(list) {
    var empty = list.querySelector(":scope > li.meta");
    if (empty) empty.remove();
  }

  function insert(d) {
    var li = document.createElement("li");
    li.id = "item-" + d.post_id;
    li.className = "live-new" + (d.parent_id ? " depth-" + d.depth : "");
    li.appendChild(fragment(d.html));
    if (!d.parent_id) {
      var list = document.querySelector("[data-live-list]");
      if (!list) return;
      placeholder(list);
      if (sort === "time" || sort === "") list.prepend(li); else list.append(li);
      return;
    }
    var replies = document.querySelector("[data-live-replies]");
    if (!replies) {  // a conference or debate page: replies sit under their opening post
      var rootItem = document.getElementById("item-" + d.root_id);
      if (!rootItem) return;
      replies = rootItem.querySelector("ol.replies");
      if (!replies) { replies = document.createElement("ol"); replies.className = "replies"; rootItem.appendChild(replies); }
    }
    placeholder(replies);
    var parent = document.getElementById("item-" + d.parent_id);
    if (!parent || parent.parentNode !== replies) { replies.append(li); return; }
    var after = parent, depth = depthOf(parent);  // after the parent's own replies
    while (after.nextElementSibling && depthOf(after.nextElementSibling) > depth) after = after.nextElementSibling;
    after.after(li);
  }

  function depthOf(li) {
    var m = /depth-(\d+)/.exec(li.className);
    return m ? parseInt(m[1], 10) : 0;
  }

  function notice(el) {
    var box = document.getElementById("live-notice");
    if (!el || !box) return;
    box.replaceChildren(el);
    box.hidden = false;
  }

  // what arrives live was rendered in UTC for everyone: shown in this browser's zone
  function localTimes(root) {
    if (window.forumLocalTimes) window.forumLocalTimes(root);
  }

  /* Drafts: every textarea of a form that posts is saved as you type, restored when the
     page opens again, and forgotten once the form is sent. */
  function keepDrafts() {
    var store;
    try { store = window.localStorage; store.setItem("forum-probe", "1"); store.removeItem("forum-probe"); } catch (e) { return; }
    document.querySelectorAll("form[method=post] textarea[name]").forEach(function (area) {
      if (area.readOnly) return;
      var key = "draft:" + area.form.getAttribute("action") + ":" + area.name;
      var kept = store.getItem(key);
      if (kept && !area.value) {
        area.value = kept;
        var box = area.closest("details");
        if (box) box.open = true;
      }
      area.addEventListener("input", function () {
        if (area.value) store.setItem(key, area.value); else store.removeItem(key);
      });
      area.form.addEventListener("submit", function () { store.removeItem(key); });
    });
  }
})();
