// nutgraf serve: live reload. Injected into HTML responses by `nutgraf
// serve` only; `nutgraf build` never writes it.
(() => {
  "use strict";
  const OVERLAY_ID = "nutgraf-overlay";

  // The site path of this page as the server names changed pages: "/a/".
  function here() {
    let p = decodeURI(location.pathname);
    if (p.endsWith("/index.html")) p = p.slice(0, -"index.html".length);
    return p;
  }

  // Brings `from` (live DOM) in line with `to` (freshly parsed), keeping
  // nodes that did not change so scroll position, focus and media state
  // survive.
  function morph(from, to) {
    if (from.nodeType !== to.nodeType || from.nodeName !== to.nodeName) {
      from.replaceWith(to.cloneNode(true));
      return;
    }
    if (from.nodeType === Node.TEXT_NODE || from.nodeType === Node.COMMENT_NODE) {
      if (from.data !== to.data) from.data = to.data;
      return;
    }
    if (from.nodeType !== Node.ELEMENT_NODE) return;
    for (const attr of Array.from(from.attributes)) {
      if (!to.hasAttribute(attr.name)) from.removeAttribute(attr.name);
    }
    for (const attr of Array.from(to.attributes)) {
      if (from.getAttribute(attr.name) !== attr.value) from.setAttribute(attr.name, attr.value);
    }
    const a = Array.from(from.childNodes).filter((n) => n.id !== OVERLAY_ID);
    const b = Array.from(to.childNodes);
    const common = Math.min(a.length, b.length);
    for (let i = 0; i < common; i++) morph(a[i], b[i]);
    for (let i = common; i < a.length; i++) a[i].remove();
    const overlay = document.getElementById(OVERLAY_ID);
    for (let i = common; i < b.length; i++) {
      const node = b[i].cloneNode(true);
      if (overlay && overlay.parentNode === from) from.insertBefore(node, overlay);
      else from.appendChild(node);
    }
  }

  async function refresh() {
    const y = window.scrollY;
    const res = await fetch(location.pathname, { cache: "no-store" });
    if (!res.ok) return location.reload();
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    if (document.title !== doc.title) document.title = doc.title;
    syncStyles(doc);
    morph(document.body, doc.body);
    if (window.scrollY !== y) window.scrollTo({ top: y, behavior: "instant" });
    document.dispatchEvent(new CustomEvent("nutgraf:updated"));
  }

  // A page links the stylesheet parts for what it shows, so an edit can
  // change them: a first table brings blocks/tables.css, a first code
  // block code.css and the token colours in a <style>. Link what the new
  // page links and this one does not, in its cascade place; drop what it
  // no longer links; take its inline styles.
  function syncStyles(doc) {
    const path = (link) => new URL(link.getAttribute("href"), location.href).pathname;
    const have = new Map();
    for (const link of document.head.querySelectorAll('link[rel="stylesheet"]')) {
      have.set(path(link), link);
    }
    let previous = null;
    for (const link of doc.head.querySelectorAll('link[rel="stylesheet"]')) {
      let mine = have.get(path(link));
      if (mine) {
        have.delete(path(link));
      } else {
        mine = document.importNode(link, true);
        if (previous) previous.after(mine);
        else document.head.prepend(mine);
      }
      previous = mine;
    }
    for (const stale of have.values()) stale.remove();
    const mine = Array.from(document.head.querySelectorAll("style"));
    const theirs = Array.from(doc.head.querySelectorAll("style"));
    theirs.forEach((style, i) => {
      if (i >= mine.length) document.head.appendChild(document.importNode(style, true));
      else if (mine[i].textContent !== style.textContent) mine[i].textContent = style.textContent;
    });
    mine.slice(theirs.length).forEach((style) => style.remove());
  }

  // New stylesheets load beside the old ones, which go once the new ones
  // apply, so the page never shows unstyled.
  function swapStylesheets() {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin) continue;
      url.searchParams.set("nutgraf", Date.now().toString());
      const fresh = link.cloneNode();
      fresh.removeAttribute("integrity");
      fresh.href = url.pathname + url.search;
      fresh.addEventListener("load", () => link.remove(), { once: true });
      fresh.addEventListener("error", () => link.remove(), { once: true });
      link.after(fresh);
    }
  }

  // The server renders the overlay (src/serve/overlay.rs); the same
  // markup is on the page served while nothing has built yet.
  function showError(html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    const fresh = template.content.firstElementChild;
    if (!fresh) return;
    const box = document.getElementById(OVERLAY_ID);
    if (box) box.replaceWith(fresh);
    else document.body.appendChild(fresh);
  }

  function clearError() {
    const box = document.getElementById(OVERLAY_ID);
    if (box) box.remove();
  }

  let queue = Promise.resolve();
  function connect() {
    const events = new EventSource("/__nutgraf/events");
    events.onmessage = (e) => {
      // When the last message arrived, for the latency benchmark's breakdown.
      window.__nutgrafMessageAt = performance.timeOrigin + performance.now();
      const msg = JSON.parse(e.data);
      queue = queue.then(() => handle(msg)).catch(() => location.reload());
    };
  }

  // The page served while nothing had built: it holds no article to
  // update in place, so once the site builds, load the real page.
  const placeholder = document.documentElement.hasAttribute("data-nutgraf-placeholder");

  async function handle(msg) {
    if (msg.type === "error") return showError(msg.html);
    if (placeholder && (msg.type === "ok" || msg.type === "update")) return location.reload();
    if (msg.type === "ok") return clearError();
    if (msg.type !== "update") return;
    clearError();
    if (msg.reload) return location.reload();
    if (msg.css) swapStylesheets();
    if (msg.pages.includes(here())) await refresh();
  }

  connect();
})();
