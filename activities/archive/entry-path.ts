// The one rule for entry names, used by the writer (to refuse bad input) and the reader (to refuse
// hostile archives): a relative POSIX path of plain segments, so joining it onto a directory can
// never leave that directory.
export function entryPathProblem(path: string): string | undefined {
  if (path.length === 0) return 'empty path';
  if (path.length > 1024) return 'path longer than 1024 characters';
  if (path.startsWith('/')) return 'absolute path';
  if (path.includes('\\')) return 'backslash in path';
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'control character in path';
  for (const segment of path.split('/')) {
    if (segment === '..') return '".." segment';
    if (segment === '' || segment === '.') return 'empty or "." segment';
  }
  return undefined;
}
