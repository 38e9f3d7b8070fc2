// The live feed: opens the server-sent event stream and puts each new signature at the top of
// the list. Entries are built with textContent, never innerHTML, so a message is only ever text.
/* global document, EventSource, window */
(() => {
  const list = document.getElementById("entries");
  if (!list || !("EventSource" in window)) return;

  const empty = document.getElementById("empty");
  const badge = document.getElementById("live");
  const MAX_SHOWN = 100;
  const when = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

  // Ask for what was signed after the page was rendered; on reconnects the browser sends
  // Last-Event-ID itself, which the server prefers.
  const url = new URL(list.dataset.feed, document.baseURI);
  url.searchParams.set("after", list.dataset.lastId || "0");
  const source = new EventSource(url);

  source.addEventListener("open", () => {
    if (badge) badge.hidden = false;
  });
  source.addEventListener("error", () => {
    if (badge) badge.hidden = true;
  });
  source.addEventListener("entry", (event) => {
    const entry = JSON.parse(event.data);
    if (document.getElementById(`entry-${entry.id}`)) return;
    list.prepend(render(entry));
    if (empty) empty.hidden = true;
    while (list.children.length > MAX_SHOWN) list.lastElementChild.remove();
  });

  function render(entry) {
    const item = element("li", "entry is-new");
    item.id = `entry-${entry.id}`;
    item.append(element("p", "entry-message", entry.message));
    const meta = element("p", "entry-meta");
    const time = element("time", "", `${when.format(new Date(entry.createdAt))} UTC`);
    time.dateTime = entry.createdAt;
    meta.append(element("span", "entry-name", entry.name), time);
    item.append(meta);
    return item;
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
})();
