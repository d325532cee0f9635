/** The request ID (`apr_…`) a card's buttons carry; throws when the card has none. */
export function readRequestId(card: { blocks?: unknown[] }): string {
  const match = /apr_[A-Za-z0-9_-]{22,}/.exec(JSON.stringify(card.blocks));
  if (!match) throw new Error("no request ID on the card");
  return match[0];
}
