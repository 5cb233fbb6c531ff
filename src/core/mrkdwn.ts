/** Escapes `&`, `<` and `>` for Slack mrkdwn, so text people control cannot inject links or mentions. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
