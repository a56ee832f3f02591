# shellcheck shell=bash
# Source me: make Debian's chromium available for the page tests and require them.
#
#   source .ci/chromium.sh      # exports TSUNAGU_REQUIRE_BROWSER=1
#
# Installs Debian's `chromium` package (and `fonts-noto-cjk`, so Japanese text in
# the screenshots is readable) with apt-get when /usr/bin/chromium is missing.
# The tests drive it through the playwright Python package (the dev extra) with
# executable_path=/usr/bin/chromium; `playwright install` is never run.

tsunagu_chromium_log() { echo "chromium.sh: $*" >&2; }

tsunagu_chromium_install() {
    if [ -x /usr/bin/chromium ]; then
        return 0
    fi
    if [ "$(id -u)" -ne 0 ]; then
        tsunagu_chromium_log "not root and /usr/bin/chromium missing: cannot apt-get install"
        return 1
    fi
    tsunagu_chromium_log "installing chromium from Debian packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || return 1
    apt-get install -y -qq --no-install-recommends chromium >/dev/null || return 1
    # CJK fonts are nice to have (screenshots); the tests pass without them
    if apt-cache show fonts-noto-cjk >/dev/null 2>&1; then
        apt-get install -y -qq --no-install-recommends fonts-noto-cjk >/dev/null \
            || tsunagu_chromium_log "fonts-noto-cjk not installed; Japanese may render as boxes"
    fi
}

tsunagu_chromium_install
/usr/bin/chromium --version 2>/dev/null >&2 || true
export TSUNAGU_REQUIRE_BROWSER=1
