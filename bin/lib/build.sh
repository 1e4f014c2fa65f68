# Sourced by the launchers: builds the project when a jar is missing or older than the sources,
# so a launcher never runs code that a `git pull` has since changed.
ensure_built() {
  local root="$1"
  # Set by the test suite, which runs the launchers on the jars its own build just made.
  [[ -n "${AUDIENCE_ENGINE_NO_BUILD:-}" ]] && return 0
  local jar="$root/tools/target/audience-engine-tools-0.1.0-SNAPSHOT.jar"
  local stale=""
  if [[ ! -f "$jar" || ! -f "$root/job/target/classpath.txt" || ! -f "$root/cluster/target/flink-classpath.txt" \
        || ! -f "$root/tools/target/classpath.txt" ]]; then
    stale="first use; takes a minute"
  elif [[ -n "$(find "$root/pom.xml" "$root"/*/pom.xml "$root"/*/src/main -newer "$jar" -print -quit 2>/dev/null)" ]]; then
    stale="sources changed since the last build"
  fi
  if [[ -n "$stale" ]]; then
    echo "$(basename "$0"): building the project ($stale)..." >&2
    if ! mvn -q -B -ntp -f "$root/pom.xml" -DskipTests install >"$root/target-build.log" 2>&1; then
      echo "$(basename "$0"): build failed; see $root/target-build.log" >&2
      exit 1
    fi
    rm -f "$root/target-build.log"
  fi
}
