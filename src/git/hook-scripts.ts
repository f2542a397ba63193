// Pure generators of the git hook scripts `mmreview install-hook` writes (sendemail-validate, pre-push).

/** Marker line that identifies a hook written by mmreview (a re-install replaces such a hook without --force). */
export const HOOK_MARKER = '# mmreview-hook v1';

/** What a generated hook needs to know. */
export interface HookParams {
  /** Absolute path of the node binary to run. */
  node: string;
  /** Absolute path of this installation's bin/mmreview.js. */
  bin: string;
  /** mmreview version, recorded in the script header. */
  version: string;
  /** Absolute path of a previous hook to run first (same arguments and stdin); its failure stops the push / send. */
  chained?: string;
}

/** Quotes a string for POSIX sh inside single quotes. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function header(kind: string, p: HookParams, what: string): string {
  return `#!/bin/sh
${HOOK_MARKER} ${kind}
# Installed by \`mmreview install-hook\` (mmreview ${p.version}). ${what}
# Blocks only on a race that mmreview's simulator confirmed and that the change introduces.
# Override once:  MMREVIEW_SKIP=1 git ${kind === 'pre-push' ? 'push' : 'send-email'} ...
# Disable:        git config mmreview.skip true
MMREVIEW_NODE=${shQuote(p.node)}
MMREVIEW_BIN=${shQuote(p.bin)}
`;
}

const SKIP_BLOCK = `if [ "\${MMREVIEW_SKIP:-0}" != 0 ] && [ -n "\${MMREVIEW_SKIP:-}" ]; then
	echo "mmreview: skipped (MMREVIEW_SKIP is set)" >&2
	exit 0
fi
if [ "$(git config --type=bool --get mmreview.skip 2>/dev/null)" = true ]; then
	echo "mmreview: skipped (git config mmreview.skip is true)" >&2
	exit 0
fi
if [ ! -f "$MMREVIEW_BIN" ] || [ ! -x "$MMREVIEW_NODE" ]; then
	echo "mmreview: $MMREVIEW_BIN (or $MMREVIEW_NODE) is gone; re-run 'mmreview install-hook --force'. Not blocking." >&2
	exit 0
fi
`;

function blockMessage(cmd: string): string {
  return `	echo "" >&2
	echo "mmreview: a confirmed race introduced by this change was found (see above); stopping." >&2
	echo "mmreview: if you are sure, override once with:  MMREVIEW_SKIP=1 ${cmd}" >&2
	echo "mmreview: or disable the hook in this repository: git config mmreview.skip true" >&2`;
}

/**
 * The `sendemail-validate` hook: git send-email runs it once per file with the file as `$1` (a cover letter simply has
 * no diff). It runs `mmreview check --tree <work tree> "$1"` (whole functions from the blobs the patch's index lines
 * name, its base-commit or HEAD), or `check --git <sha>` when the file is the format-patch of a local commit
 * changing the same lines and exits 1 (blocking the send) when mmreview exits 1; any other failure of
 * mmreview itself is reported and does not block.
 */
export function sendemailValidateHook(p: HookParams): string {
  const chain = p.chained
    ? `MMREVIEW_CHAINED=${shQuote(p.chained)}
if [ -x "$MMREVIEW_CHAINED" ]; then
	"$MMREVIEW_CHAINED" "$@" || exit $?
fi
`
    : '';
  return `${header('sendemail-validate', p, 'Reviews each patch git send-email is about to send.')}${chain}${SKIP_BLOCK}
[ -n "$1" ] || exit 0
# A patch made by git format-patch from a commit of this repository, changing the same lines as that commit (any
# amount of context), is reviewed as the commit: whole functions from the tree at its parent, not hunk context alone.
mmreview_changes() {
	awk '/^diff --git /{d=1} d \&\& /^[-+]/ \&\& !/^(\\+\\+\\+|---) / \&\& !/^-- $/'
}
sha=$(sed -n '1s/^From \\([0-9a-f]\\{40,64\\}\\) Mon Sep 17 00:00:00 2001$/\\1/p' "$1" 2>/dev/null)
if [ -n "$sha" ] && git cat-file -e "$sha^{commit}" 2>/dev/null; then
	mine=$(mmreview_changes < "$1" | git hash-object --stdin)
	theirs=$(git format-patch --stdout -1 "$sha" 2>/dev/null | mmreview_changes | git hash-object --stdin)
	[ -n "$mine" ] && [ "$mine" = "$theirs" ] || sha=""
else
	sha=""
fi
if [ -n "$sha" ]; then
	"$MMREVIEW_NODE" "$MMREVIEW_BIN" check --brief --git "$sha" >&2
else
	# Any other patch is read against this repository: the blobs its index lines name, base-commit, or HEAD.
	top=$(git rev-parse --show-toplevel 2>/dev/null)
	if [ -n "$top" ]; then
		"$MMREVIEW_NODE" "$MMREVIEW_BIN" check --brief --tree "$top" "$1" >&2
	else
		"$MMREVIEW_NODE" "$MMREVIEW_BIN" check --brief "$1" >&2
	fi
fi
status=$?
if [ "$status" = 1 ]; then
${blockMessage('git send-email ...')}
	exit 1
fi
if [ "$status" != 0 ]; then
	echo "mmreview: could not check $1 (exit $status); not blocking." >&2
fi
exit 0
`;
}

/**
 * The `pre-push` hook: for each pushed ref (stdin: `<local ref> <local sha> <remote ref> <remote sha>`) it reviews
 * `remote..local` with `mmreview check --git` (for a new branch: the commits not yet on that remote), and exits 1
 * when any range has a confirmed introduced race.
 */
export function prePushHook(p: HookParams): string {
  const chain = p.chained
    ? `MMREVIEW_CHAINED=${shQuote(p.chained)}
MMREVIEW_STDIN=$(mktemp "\${TMPDIR:-/tmp}/mmreview-pre-push.XXXXXX") || exit 1
trap 'rm -f "$MMREVIEW_STDIN"' EXIT
cat > "$MMREVIEW_STDIN"
if [ -x "$MMREVIEW_CHAINED" ]; then
	"$MMREVIEW_CHAINED" "$@" < "$MMREVIEW_STDIN" || exit $?
fi
exec < "$MMREVIEW_STDIN"
`
    : '';
  return `${header('pre-push', p, 'Reviews the commits being pushed.')}${chain}${SKIP_BLOCK}
remote="$1"
blocked=0
while read -r local_ref local_sha remote_ref remote_sha; do
	case "$local_sha" in *[!0]*) ;; *) continue ;; esac
	range=""
	if [ -n "$remote_sha" ] && case "$remote_sha" in *[!0]*) true ;; *) false ;; esac && git cat-file -e "$remote_sha^{commit}" 2>/dev/null; then
		range="$remote_sha..$local_sha"
	else
		base=$(git rev-list --topo-order "$local_sha" --not --remotes="$remote" | tail -n 1)
		[ -n "$base" ] || continue
		if git rev-parse -q --verify "$base^" >/dev/null 2>&1; then
			range="$base^..$local_sha"
		else
			echo "mmreview: $local_ref starts a new history; review it with 'mmreview check --git <base>..$local_sha'." >&2
			continue
		fi
	fi
	echo "mmreview: checking $local_ref ($range)" >&2
	"$MMREVIEW_NODE" "$MMREVIEW_BIN" check --git "$range" >&2
	status=$?
	if [ "$status" = 1 ]; then
		blocked=1
	elif [ "$status" != 0 ]; then
		echo "mmreview: could not check $range (exit $status); not blocking." >&2
	fi
done
if [ "$blocked" = 1 ]; then
${blockMessage('git push ...')}
	exit 1
fi
exit 0
`;
}
