// What Home Assistant adds to every frontend page (frontend.add_extra_js_url): it loads the card's
// element module only once the frontend's app has started. The app replaces window.customElements
// with its scoped-registry polyfill when it starts; an element defined before that (the page
// imports this module and the app at the same time, and either may finish first) lands in the
// replaced registry, where Lovelace never finds it ("Custom element not found"). Lit's classes
// must also extend the HTMLElement the polyfill installs, so the whole element module waits.
declare const CARD_ELEMENT_MODULE: string;

function appStarted(): boolean {
  // Pages without <home-assistant> (a cast receiver) load cards after their own start.
  return !document.querySelector("home-assistant") || Boolean(window.customElements.get("home-assistant"));
}

async function loadCard(): Promise<void> {
  while (!appStarted()) await new Promise((resolve) => setTimeout(resolve, 25));
  await import(new URL(CARD_ELEMENT_MODULE, import.meta.url).href);
}

loadCard().catch((err: unknown) => console.error("ev-session-card could not be loaded", err));
