/** Only web links become links: a feed item's URL is outside text and could be a
 * `javascript:` or `data:` URL. The news feed and the trade trail both link through this. */
export function safeHref(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === "https:" || u.protocol === "http:" ? u.href : null;
  } catch {
    return null;
  }
}
