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

  // ---- Morphing: bring the live DOM in line with the page as rebuilt,
  // keeping every node that did not change, so that images, videos,
  // embeds, open <details>, focus and scroll survive an edit. Siblings are
  // matched by identity, not position: each gets a key (its id; else the
  // source of the media it is or holds; else an id inside it; else its tag
  // and first characters of text). The longest common subsequence of the
  // two key lists stays where it is; a node whose key reappears elsewhere
  // is moved (with moveBefore where the browser has it, which keeps a
  // playing video playing and an iframe loaded); what is left in each gap
  // between kept nodes is paired by tag and morphed in place; the rest is
  // removed or created.

  const MEDIA = "img,video,audio,iframe,embed,object";
  const KEY_TEXT = 40;
  // Beyond this many cells the LCS table costs more than it saves:
  // matching falls back to keys in order.
  const LCS_CELLS = 250000;

  function key(node) {
    if (node.nodeType === Node.TEXT_NODE) return "#text " + node.data.slice(0, KEY_TEXT);
    if (node.nodeType !== Node.ELEMENT_NODE) return "#" + node.nodeType;
    const name = node.nodeName;
    if (node.id) return name + "#" + node.id;
    const media = node.matches(MEDIA) ? node : node.querySelector(MEDIA);
    const src = media && (media.getAttribute("src") || media.getAttribute("data") || media.querySelector("source")?.getAttribute("src"));
    if (src) return name + " @" + src;
    const inner = node.querySelector("[id]");
    if (inner) return name + " #" + inner.id;
    return name + " " + node.textContent.slice(0, KEY_TEXT);
  }

  // Pairs [i, j] with x[i] === y[j], increasing in both, as many as can be.
  function commonSubsequence(x, y) {
    const pairs = [];
    let head = 0;
    while (head < x.length && head < y.length && x[head] === y[head]) pairs.push([head, head++]);
    let tail = 0;
    while (tail < x.length - head && tail < y.length - head
      && x[x.length - 1 - tail] === y[y.length - 1 - tail]) tail++;
    const n = x.length - head - tail;
    const m = y.length - head - tail;
    if (n > 0 && m > 0 && n * m <= LCS_CELLS) {
      // best[i * (m + 1) + j]: the LCS length of x[head + i..] and y[head + j..].
      const best = new Uint32Array((n + 1) * (m + 1));
      for (let i = n - 1; i >= 0; i--) {
        for (let j = m - 1; j >= 0; j--) {
          best[i * (m + 1) + j] = x[head + i] === y[head + j]
            ? best[(i + 1) * (m + 1) + j + 1] + 1
            : Math.max(best[(i + 1) * (m + 1) + j], best[i * (m + 1) + j + 1]);
        }
      }
      for (let i = 0, j = 0; i < n && j < m;) {
        if (x[head + i] === y[head + j]) pairs.push([head + i++, head + j++]);
        else if (best[(i + 1) * (m + 1) + j] >= best[i * (m + 1) + j + 1]) i++;
        else j++;
      }
    } else if (n > 0 && m > 0) {
      const at = new Map();
      for (let i = head; i < head + n; i++) {
        if (!at.has(x[i])) at.set(x[i], []);
        at.get(x[i]).push(i);
      }
      let last = head - 1;
      for (let j = head; j < head + m; j++) {
        const list = at.get(y[j]);
        while (list && list.length && list[0] <= last) list.shift();
        if (list && list.length) pairs.push([(last = list.shift()), j]);
      }
    }
    for (let t = tail; t > 0; t--) pairs.push([x.length - t, y.length - t]);
    return pairs;
  }

  // What a morph changed, for the preview to show the writer.
  let changes = [];

  function morph(from, to) {
    if (from.nodeType === Node.TEXT_NODE || from.nodeType === Node.COMMENT_NODE) {
      if (from.data !== to.data) {
        from.data = to.data;
        changes.push(from);
      }
      return;
    }
    if (from.nodeType !== Node.ELEMENT_NODE) return;
    // Most of a page is unchanged: the browser compares a subtree far
    // faster than this script walks it.
    if (from.isEqualNode(to)) return;
    let touched = false;
    for (const attr of Array.from(from.attributes)) {
      // A <details> the reader opened or closed stays so.
      if (attr.name === "open" && from.nodeName === "DETAILS") continue;
      if (!to.hasAttribute(attr.name)) {
        from.removeAttribute(attr.name);
        touched = true;
      }
    }
    for (const attr of Array.from(to.attributes)) {
      if (attr.name === "open" && from.nodeName === "DETAILS") continue;
      if (from.getAttribute(attr.name) !== attr.value) {
        from.setAttribute(attr.name, attr.value);
        touched = true;
      }
    }
    if (touched) changes.push(from);
    morphChildren(from, to);
  }

  function morphChildren(from, to) {
    const overlay = from === document.body ? document.getElementById(OVERLAY_ID) : null;
    const a = Array.from(from.childNodes).filter((n) => n !== overlay);
    const b = Array.from(to.childNodes);
    const ka = a.map(key);
    const kb = b.map(key);
    const partner = new Array(b.length).fill(null);
    const used = new Array(a.length).fill(false);
    const kept = commonSubsequence(ka, kb);
    for (const [i, j] of kept) {
      partner[j] = a[i];
      used[i] = true;
    }
    // The same key elsewhere: a block moved.
    const spare = new Map();
    a.forEach((node, i) => {
      if (used[i] || node.nodeType !== Node.ELEMENT_NODE) return;
      if (!spare.has(ka[i])) spare.set(ka[i], []);
      spare.get(ka[i]).push(i);
    });
    const movers = new Set();
    b.forEach((node, j) => {
      const list = partner[j] ? null : spare.get(kb[j]);
      if (!list || !list.length) return;
      const i = list.shift();
      partner[j] = a[i];
      used[i] = true;
      movers.add(a[i]);
    });
    // Within each gap between kept pairs, the same tag in order: a block
    // edited in place.
    const bounds = [[-1, -1], ...kept, [a.length, b.length]];
    for (let g = 0; g + 1 < bounds.length; g++) {
      let i = bounds[g][0] + 1;
      for (let j = bounds[g][1] + 1; j < bounds[g + 1][1]; j++) {
        if (partner[j]) continue;
        for (let k = i; k < bounds[g + 1][0]; k++) {
          if (!used[k] && a[k].nodeName === b[j].nodeName) {
            partner[j] = a[k];
            used[k] = true;
            i = k + 1;
            break;
          }
        }
      }
    }
    a.forEach((node, i) => {
      if (used[i]) return;
      node.remove();
      // Where a block went: the parent shows it.
      if (node.nodeType === Node.ELEMENT_NODE) changes.push(from);
    });
    const place = (node, before) => {
      const ref = before || (overlay && overlay.parentNode === from ? overlay : null);
      if (node.parentNode === from && typeof from.moveBefore === "function") {
        try {
          return from.moveBefore(node, ref);
        } catch (_) {
          // Not movable atomically (across documents, say): insert.
        }
      }
      from.insertBefore(node, ref);
    };
    let cursor = from.firstChild;
    b.forEach((node, j) => {
      const old = partner[j];
      while (cursor && (cursor === overlay || (movers.has(cursor) && cursor !== old))) {
        cursor = cursor.nextSibling;
      }
      if (old) {
        if (old === cursor) cursor = cursor.nextSibling;
        else place(old, cursor);
        if (old.nodeName === node.nodeName) morph(old, node);
        else {
          const fresh = document.importNode(node, true);
          old.replaceWith(fresh);
          changes.push(fresh);
        }
      } else {
        const fresh = document.importNode(node, true);
        place(fresh, cursor);
        changes.push(fresh);
      }
    });
  }

  // ---- Following the writer.

  // The blocks a change is shown by: the nearest of these around it.
  const BLOCK = "p,li,dt,dd,figure,h1,h2,h3,h4,h5,h6,blockquote,pre,table,details,aside,section,article,div";

  // When none of what changed is on screen, bring the first change into
  // view and outline it for a moment. Changes in the article count before
  // those in navigation, headers and footers (a reading time, a menu
  // entry), which alone neither hold the page still nor move it. With
  // reduced motion, the page jumps instead of gliding and the outline
  // does not fade.
  function reveal(nodes) {
    const body = [];
    const chrome = [];
    for (const node of nodes) {
      let el = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
      if (!el || !el.isConnected || el === document.body) continue;
      if (el.closest("#" + OVERLAY_ID) || el.closest("head")) continue;
      el = el.closest(BLOCK) || el;
      const box = el.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      const seen = box.bottom > 0 && box.top < window.innerHeight;
      (el.closest("nav,header,footer") ? chrome : body).push([el, seen]);
    }
    const blocks = body.length ? body : chrome;
    if (!blocks.length || blocks.some(([, seen]) => seen)) return;
    const [target] = blocks[0];
    const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    target.scrollIntoView({ block: "center", behavior: still ? "instant" : "smooth" });
    const ring = { outline: "3px solid #e8a317", outlineOffset: "4px" };
    target.animate(
      still ? [ring, ring] : [ring, { ...ring, outlineColor: "transparent" }],
      { duration: 1600, easing: "ease-in", id: "nutgraf-changed" },
    );
  }

  // This tab's name for the session (kept across its navigations), and
  // the tab the writer focused last, shared by every tab of the site: only
  // that one follows a save to another article.
  const TAB = "nutgraf:tab";
  const FOCUSED = "nutgraf:focused";
  const tab = (() => {
    try {
      let name = sessionStorage.getItem(TAB);
      if (!name) {
        name = Math.random().toString(36).slice(2) + Date.now().toString(36);
        sessionStorage.setItem(TAB, name);
      }
      return name;
    } catch (_) {
      return null;
    }
  })();
  function claimFocus() {
    try {
      localStorage.setItem(FOCUSED, tab);
    } catch (_) {
      // Storage off: every tab follows.
    }
  }
  function focusedLast() {
    try {
      const last = localStorage.getItem(FOCUSED);
      return tab === null || last === null || last === tab;
    } catch (_) {
      return true;
    }
  }
  if (document.hasFocus()) claimFocus();
  try {
    const failed = sessionStorage.getItem("nutgraf:failed");
    if (failed) {
      sessionStorage.removeItem("nutgraf:failed");
      console.error("nutgraf live reload failed, so the page was reloaded:", failed);
      window.__nutgrafFailed = failed;
    }
  } catch (_) {
    // Storage off.
  }
  window.addEventListener("focus", claimFocus);
  window.addEventListener("pointerdown", claimFocus, true);
  window.addEventListener("keydown", claimFocus, true);

  async function refresh() {
    const y = window.scrollY;
    const res = await fetch(location.pathname, { cache: "no-store" });
    if (!res.ok) return location.reload();
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    if (document.title !== doc.title) document.title = doc.title;
    syncStyles(doc);
    const focus = document.activeElement;
    const started = performance.now();
    changes = [];
    morph(document.body, doc.body);
    // How long the morph took, for the latency benchmark.
    window.__nutgrafMorphMs = performance.now() - started;
    if (focus && focus !== document.activeElement && focus.isConnected) {
      focus.focus({ preventScroll: true });
    }
    if (window.scrollY !== y) window.scrollTo({ top: y, behavior: "instant" });
    reveal(changes);
    changes = [];
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
      queue = queue.then(() => handle(msg)).catch((e) => {
        // Whatever went wrong, a reload shows the page as built; the
        // console keeps the reason.
        try {
          sessionStorage.setItem("nutgraf:failed", String((e && e.stack) || e));
        } catch (_) {
          // Storage off.
        }
        location.reload();
      });
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
    if (msg.follow && msg.follow !== here() && focusedLast()) return location.assign(msg.follow);
    if (msg.css) swapStylesheets();
    if (msg.pages.includes(here())) await refresh();
  }

  connect();
})();
