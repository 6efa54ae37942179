/** A LIKE pattern that matches `q` literally (escapes %, _ and the escape char). */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
