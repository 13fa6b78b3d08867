#!/usr/bin/env bash
# Drives the built `sigmount` binary end to end: usage errors, sign/verify round trips for
# every serialization and hash, tampered models, and model_signing's own signed fixtures.
# Usage: cli_test.sh SIGMOUNT_BINARY DATA_DIR [GROUP...]
#   GROUP: usage, roundtrip, tamper, fixtures, pkcs11, inspect, provenance (default: all); mount,
#   provenance_mount (need root and
#   /dev/fuse: registered in suite 'fuse').
# Prints one line per check and a summary; exits 1 if any check failed.
set -uo pipefail

sigmount=$(realpath "$1")
data=$(realpath "$2")
shift 2
groups=("$@")
[[ ${#groups[@]} -eq 0 ]] && groups=(usage roundtrip tamper fixtures pkcs11 inspect provenance)

work=$(mktemp -d "${TMPDIR:-/tmp}/sigmount-cli-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

passes=0
failures=0
out="$work/out"

pass() { passes=$((passes + 1)); echo "ok   $1"; }
fail() {
  failures=$((failures + 1))
  echo "FAIL $1"
  sed 's/^/     | /' "$out" | head -n 20
}

# expect NAME EXIT_CODE [--line REGEX]... -- COMMAND...
# Runs COMMAND (stdout+stderr to $out); checks its exit code and that each REGEX matches a line.
expect() {
  local name=$1 want=$2
  shift 2
  local patterns=()
  while [[ $# -gt 0 && $1 != "--" ]]; do
    [[ $1 == "--line" ]] && patterns+=("$2")
    shift 2
  done
  shift
  "$@" >"$out" 2>&1
  local got=$?
  if [[ $got -ne $want ]]; then
    echo "     (exit $got, expected $want: $*)" >>"$out"
    fail "$name"
    return
  fi
  local pattern
  for pattern in "${patterns[@]}"; do
    if ! grep -Eq -- "$pattern" "$out"; then
      echo "     (no line matches /$pattern/)" >>"$out"
      fail "$name"
      return
    fi
  done
  pass "$name"
}

# A small random model: files at the top, in a subdirectory, an empty one.
make_model() {
  local dir=$1
  mkdir -p "$dir/sub/deeper"
  head -c 70000 /dev/urandom >"$dir/model-00001-of-00002.safetensors"
  head -c 1234 /dev/urandom >"$dir/model-00002-of-00002.safetensors"
  head -c 300 /dev/urandom >"$dir/sub/tokenizer.json"
  head -c 5000 /dev/urandom >"$dir/sub/deeper/weights.bin"
  : >"$dir/sub/empty"
}

# A model just over the size above which sign, verify and mount --verify-all show a progress
# bar on a terminal (tools/progress_bar.h): a sparse file, so it costs no disk and hashes fast.
make_big_model() {
  mkdir -p "$1" && truncate -s 310M "$1/weights.bin"
}

# on_terminal COMMAND...: runs COMMAND with a pseudo-terminal as stdin, stdout and stderr
# (script(1)); what it wrote goes to stdout, its exit code is returned.
on_terminal() {
  local quoted
  printf -v quoted '%q ' "$@"
  script -qec "$quoted" /dev/null
}

make_keys() {
  openssl ecparam -name prime256v1 -genkey -noout -out "$work/key.pem" 2>/dev/null
  openssl ec -in "$work/key.pem" -pubout -out "$work/pub.pem" 2>/dev/null
  openssl ecparam -name secp384r1 -genkey -noout -out "$work/other-key.pem" 2>/dev/null
  openssl ec -in "$work/other-key.pem" -pubout -out "$work/other-pub.pem" 2>/dev/null
  openssl req -x509 -new -key "$work/other-key.pem" -subj "/CN=Unrelated CA" -days 3650 \
    -out "$work/other-ca.pem" 2>/dev/null
}

group_usage() {
  make_model "$work/usage-model"
  expect "no arguments exits 2" 2 -- "$sigmount"
  expect "unknown command exits 2" 2 --line "unknown command" -- "$sigmount" frobnicate
  expect "--version" 0 --line "^sigmount [0-9]" --line "^hashes: sha256 blake2b blake3" \
    --line "^reader: (io_uring|pread)" --line "^libfuse: 3\." --line "^openssl: OpenSSL 3" \
    -- "$sigmount" --version
  expect "--version names the reader forced by SIGMOUNT_READER" 0 \
    --line "^reader: pread \(SIGMOUNT_READER=pread\)" -- env SIGMOUNT_READER=pread "$sigmount" --version
  expect "verify-bundle --help" 0 --line "^usage: verify-bundle" -- "$sigmount" verify-bundle --help
  expect "--help" 0 --line "usage: sigmount" -- "$sigmount" --help
  expect "sign key -h" 0 --line "--private-key" --line "--ignore-paths" -- \
    "$sigmount" sign key -h
  expect "verify sigstore --help" 0 --line "--identity-provider" -- \
    "$sigmount" verify sigstore --help
  expect "mount -h" 0 --line "usage: sigmount mount" -- "$sigmount" mount -h
  expect "sign without method exits 2" 2 -- "$sigmount" sign
  expect "sign unknown method exits 2" 2 -- "$sigmount" sign pkcs11 usage-model
  expect "sign key without --private-key exits 2" 2 --line "private-key" -- \
    "$sigmount" sign key usage-model
  expect "verify key without --public-key exits 2" 2 --line "public-key" -- \
    "$sigmount" verify key usage-model
  expect "verify key without MODEL_PATH exits 2" 2 --line "MODEL_PATH" -- \
    "$sigmount" verify key --public-key pub.pem
  expect "verify certificate without a CA exits 2" 2 --line "certificate-chain" -- \
    "$sigmount" verify certificate usage-model
  expect "verify sigstore without --identity exits 2" 2 --line "identity" -- \
    "$sigmount" verify sigstore --identity-provider https://x usage-model
  expect "unknown option exits 2" 2 --line "unknown option --frob" -- \
    "$sigmount" verify key --public-key pub.pem --frob usage-model
  expect "option missing its value exits 2" 2 -- "$sigmount" digest usage-model --ignore-paths
  expect "two models exit 2" 2 -- "$sigmount" digest usage-model usage-model
  expect "unknown --hash exits 2" 2 --line "hash" -- \
    "$sigmount" sign key --private-key key.pem --hash md5 usage-model
  expect "unknown --serialization exits 2" 2 -- \
    "$sigmount" sign key --private-key key.pem --serialization tree usage-model
  expect "--shard-size without shards exits 2" 2 -- \
    "$sigmount" sign key --private-key key.pem --shard-size 8 usage-model
  expect "--shard-size 0 exits 2" 2 -- \
    "$sigmount" sign key --private-key key.pem --serialization shards --shard-size 0 usage-model
  expect "--trusted-root with --trust-config exits 2" 2 -- \
    "$sigmount" verify sigstore --identity a --identity-provider b --trusted-root x \
    --trust-config y usage-model
  # Before anything is verified or mounted: the user asked for what a mount cannot be.
  expect "mount -o rw exits 2" 2 --line "^error: -o rw: sigmount mounts are read-only" -- \
    "$sigmount" mount key --public-key pub.pem -o allow_other,rw usage-model no-such-mountpoint
  expect "mount --cache-size beyond the machine's memory exits 2" 2 \
    --line "^error: --cache-size 1125899906842624 is more than this machine's memory" -- \
    "$sigmount" mount key --public-key pub.pem --cache-size 1125899906842624 usage-model mnt
  expect "mount --max-threads beyond libfuse's limit exits 2" 2 --line "is above 100000" -- \
    "$sigmount" mount key --public-key pub.pem --max-threads 4294967296 usage-model mnt
  expect "fstab form, sigmount.cache_size beyond the machine's memory exits 2" 2 \
    --line "sigmount.cache_size=1125899906842624 is more than this machine's memory" -- \
    "$sigmount" usage-model mnt -o sigmount.key=pub.pem,sigmount.cache_size=1125899906842624
  expect "mount --cache-size beyond 2^64 exits 2" 2 --line "is out of range" -- \
    "$sigmount" mount key --public-key pub.pem --cache-size 99999999999999999999 usage-model mnt
  expect "mount -o sigmount.fail_closed exits 2 (not silently ignored)" 2 \
    --line "^error: -o sigmount.fail_closed: sigmount.\* options are for" -- \
    "$sigmount" mount key --public-key pub.pem -o sigmount.fail_closed usage-model no-such-mountpoint
  expect "mount helper form, -o ...,sigmount.bogus exits 2" 2 --line "sigmount.bogus" -- \
    "$sigmount" usage-model no-such-mountpoint -o sigmount.key=pub.pem,sigmount.bogus
  expect "a missing model exits 1" 1 --line "Computing digest failed" -- \
    "$sigmount" digest no-such-model
  expect "a missing private key exits 1" 1 --line "Signing failed" -- \
    "$sigmount" sign key --private-key no-such-key.pem usage-model
  # The command words without a method list the methods.
  expect "sign --help lists the methods" 0 --line "^usage: sigmount sign METHOD" \
    --line "^  key  " --line "^  certificate  " --line "^  pkcs11-key  " \
    --line "^  pkcs11-certificate  " --line "sigmount sign METHOD -h" -- \
    "$sigmount" sign --help
  expect "verify --help lists the methods" 0 --line "^usage: sigmount verify METHOD" \
    --line "^  key  " --line "^  certificate  " --line "^  sigstore  " -- "$sigmount" verify --help
  expect "mount --help lists the methods" 0 --line "^usage: sigmount mount METHOD .*SOURCE MOUNTPOINT" \
    --line "^  key  " --line "^  certificate  " --line "^  sigstore  " -- "$sigmount" mount --help
  expect "mount without a method lists them and exits 2" 2 --line "^  sigstore  " \
    --line "missing method" -- "$sigmount" mount
  # A key that does not load is named by its path, and the commonest mix-up is said in words.
  "$sigmount" sign key --private-key key.pem --signature usage.sig usage-model >/dev/null 2>&1
  expect "verify key with a private key as --public-key names the path and says so" 1 \
    --line "^Verification failed: public key .*key\.pem: is a private key, not a public key" -- \
    "$sigmount" verify key --public-key key.pem --signature usage.sig usage-model
  echo "not a key" >garbage.pem
  expect "a --public-key that is no key names its path" 1 \
    --line "^Verification failed: public key .*garbage\.pem: not a PEM public key" -- \
    "$sigmount" verify key --public-key garbage.pem --signature usage.sig usage-model
  expect "sign key with a public key as --private-key names the path and says so" 1 \
    --line "^Signing failed: private key .*pub\.pem: is a public key; signing needs the private key" -- \
    "$sigmount" sign key --private-key pub.pem --signature x.sig usage-model
}

# sign_and_verify NAME SIGN_OPTIONS...: signs a fresh model, verifies it, checks the digest.
sign_and_verify() {
  local name=$1
  shift
  local model="$work/rt-$name"
  make_model "$model"
  expect "sign key ($name)" 0 --line "^Signing succeeded$" -- \
    "$sigmount" sign key --private-key key.pem --signature "rt-$name.sig" "$@" "$model"
  expect "verify key ($name)" 0 --line "^Verification succeeded$" -- \
    "$sigmount" verify key --public-key pub.pem --signature "rt-$name.sig" "$model"
  expect "verify key, wrong key ($name)" 1 --line "^Verification failed" -- \
    "$sigmount" verify key --public-key other-pub.pem --signature "rt-$name.sig" "$model"
}

group_roundtrip() {
  local hash
  for hash in sha256 blake2 blake2b blake3; do
    sign_and_verify "files-$hash" --hash "$hash"
    sign_and_verify "shards-$hash" --hash "$hash" --serialization shards --shard-size 4096
  done
  sign_and_verify "shards-default-size" --serialization=shards
  sign_and_verify "underscore-spelling" --hash=sha256 --shard_size 1000 --serialization shards

  # The default signature path is ./model.sig, and it is left out even inside the model.
  make_model "$work/rt-default"
  (cd "$work/rt-default" && "$sigmount" sign key --private-key ../key.pem . >"$out" 2>&1) &&
    (cd "$work/rt-default" && "$sigmount" verify key --public-key ../pub.pem . >"$out" 2>&1) &&
    pass "default ./model.sig inside the model is ignored" ||
    fail "default ./model.sig inside the model is ignored"

  # A single-file model.
  head -c 999 /dev/urandom >"$work/single.bin"
  expect "sign a single file" 0 -- "$sigmount" sign key --private-key key.pem \
    --signature single.sig single.bin
  expect "verify a single file" 0 --line "^Verification succeeded$" -- \
    "$sigmount" verify key --public-key pub.pem --signature single.sig single.bin

  # digest equals the signed root digest, with and without --ignore-paths.
  make_model "$work/rt-digest"
  "$sigmount" digest rt-digest >"$work/digest1" 2>&1
  "$sigmount" sign key --private-key key.pem --signature rt-digest.sig rt-digest >/dev/null 2>&1
  "$sigmount" inspect rt-digest.sig >"$work/inspect1" 2>&1
  if grep -Eq '^sha256:[0-9a-f]{64}$' "$work/digest1" &&
    grep -q "root digest: *$(cat "$work/digest1")" "$work/inspect1"; then
    pass "digest prints the signed root digest"
  else
    cat "$work/digest1" "$work/inspect1" >"$out"
    fail "digest prints the signed root digest"
  fi

  # --ignore-paths at signing time is recorded and honoured at verification.
  make_model "$work/rt-ignore"
  expect "sign with --ignore-paths" 0 -- "$sigmount" sign key --private-key key.pem \
    --signature rt-ignore.sig --ignore-paths rt-ignore/sub "$work/rt-ignore"
  echo changed >"$work/rt-ignore/sub/tokenizer.json"
  expect "ignored paths may change" 0 --line "^Verification succeeded$" -- \
    "$sigmount" verify key --public-key pub.pem --signature rt-ignore.sig rt-ignore

  # .git is ignored by default (and recorded as ignored); --no-ignore-git-paths signs it.
  make_model "$work/rt-git"
  mkdir -p "$work/rt-git/.git" && echo "ref" >"$work/rt-git/.git/HEAD"
  expect "sign ignoring .git" 0 -- "$sigmount" sign key --private-key key.pem \
    --signature rt-git.sig rt-git
  echo "other" >"$work/rt-git/.git/HEAD"
  expect "verify ignores .git" 0 -- "$sigmount" verify key --public-key pub.pem \
    --signature rt-git.sig rt-git
  expect "sign --no-ignore-git-paths" 0 -- "$sigmount" sign key --private-key key.pem \
    --signature rt-git2.sig --no-ignore-git-paths rt-git
  echo "changed again" >"$work/rt-git/.git/HEAD"
  expect "--no-ignore-git-paths signed .git" 1 --line "^Verification failed.*\.git/HEAD" -- \
    "$sigmount" verify key --public-key pub.pem --signature rt-git2.sig --no-ignore-git-paths rt-git

  # Symlinks: refused unless allowed.
  make_model "$work/rt-link"
  ln -s model-00002-of-00002.safetensors "$work/rt-link/link.safetensors"
  expect "sign refuses a symlink" 1 --line "Signing failed" -- \
    "$sigmount" sign key --private-key key.pem --signature rt-link.sig rt-link
  expect "sign --allow-symlinks" 0 -- \
    "$sigmount" sign key --private-key key.pem --signature rt-link.sig --allow-symlinks rt-link
  expect "verify --allow-symlinks" 0 -- \
    "$sigmount" verify key --public-key pub.pem --signature rt-link.sig --allow-symlinks rt-link

  # An encrypted private key.
  openssl ec -in key.pem -aes256 -passout pass:s3cret -out enc-key.pem 2>/dev/null
  make_model "$work/rt-password"
  expect "sign with --password" 0 -- "$sigmount" sign key --private-key enc-key.pem \
    --password s3cret --signature rt-password.sig rt-password
  expect "sign with a wrong --password exits 1" 1 --line "Signing failed" -- \
    "$sigmount" sign key --private-key enc-key.pem --password wrong --signature x.sig rt-password
  expect "verify a password-signed model" 0 -- "$sigmount" verify key --public-key pub.pem \
    --signature rt-password.sig rt-password

  # A big model on a terminal: a bar while hashing, cleared afterwards; none into a pipe.
  make_big_model "$work/rt-big"
  expect "sign shows a bar on a terminal" 0 --line 'hashing \[#{30}\] 100%' -- \
    on_terminal "$sigmount" sign key --private-key key.pem --signature rt-big.sig rt-big
  expect "verify shows a bar on a terminal" 0 --line 'verifying \[#{30}\] 100%' -- \
    on_terminal "$sigmount" verify key --public-key pub.pem --signature rt-big.sig rt-big
  "$sigmount" verify key --public-key pub.pem --signature rt-big.sig rt-big >"$out" 2>&1
  if grep -q 'verifying \[' "$out"; then
    fail "no bar when stderr is not a terminal"
  else
    pass "no bar when stderr is not a terminal"
  fi
}

# tampered NAME MUTATION REGEX: signs a model, applies MUTATION (a shell snippet run in the
# model dir), expects verification to fail with a line matching REGEX.
tampered() {
  local name=$1 mutation=$2 regex=$3
  shift 3
  local model="$work/tamper-$name"
  make_model "$model"
  "$sigmount" sign key --private-key key.pem --signature "tamper-$name.sig" "$@" "$model" \
    >/dev/null 2>&1
  (cd "$model" && eval "$mutation")
  expect "tampered: $name" 1 --line "^Verification failed" --line "$regex" -- \
    "$sigmount" verify key --public-key pub.pem --signature "tamper-$name.sig" "$model"
}

flip_byte() {  # flip_byte FILE OFFSET
  local byte
  byte=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
  printf "$(printf '\\%03o' $((byte ^ 1)))" |
    dd of="$1" bs=1 seek="$2" count=1 conv=notrunc status=none
}

group_tamper() {
  tampered "byte flipped" "flip_byte model-00001-of-00002.safetensors 12345" \
    "model-00001-of-00002.safetensors"
  tampered "byte flipped (shards)" "flip_byte model-00001-of-00002.safetensors 69999" \
    "model-00001-of-00002.safetensors" --serialization shards --shard-size 4096
  tampered "byte flipped in a subdirectory" "flip_byte sub/deeper/weights.bin 0" \
    "sub/deeper/weights.bin"
  tampered "file added" "echo new >sub/added.txt" "sub/added.txt"
  tampered "file removed" "rm sub/tokenizer.json" "sub/tokenizer.json"
  tampered "file renamed" "mv sub/tokenizer.json sub/tokenizer2.json" "sub/tokenizer2?.json"
  tampered "file truncated" "truncate -s 100 model-00002-of-00002.safetensors" \
    "model-00002-of-00002.safetensors"
  tampered "empty file filled" "echo x >sub/empty" "sub/empty"

  # Two problems: one line each.
  tampered "two problems" "flip_byte sub/deeper/weights.bin 1; rm sub/tokenizer.json" \
    "sub/deeper/weights.bin"
  if [[ $(grep -c "^Verification failed" "$out") -ge 2 ]]; then
    pass "one line per problem"
  else
    fail "one line per problem"
  fi

  # A modified signature.
  make_model "$work/tamper-sig"
  "$sigmount" sign key --private-key key.pem --signature tamper-sig.sig tamper-sig >/dev/null 2>&1
  # Change one digest inside the signed statement, keep the signature.
  python3 - tamper-sig.sig <<'PY'
import base64, json, sys
path = sys.argv[1]
bundle = json.load(open(path))
statement = json.loads(base64.b64decode(bundle["dsseEnvelope"]["payload"]))
digest = statement["predicate"]["resources"][0]["digest"]
statement["predicate"]["resources"][0]["digest"] = ("0" if digest[0] != "0" else "1") + digest[1:]
bundle["dsseEnvelope"]["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
json.dump(bundle, open(path, "w"))
PY
  expect "tampered signature payload" 1 --line "^Verification failed" -- \
    "$sigmount" verify key --public-key pub.pem --signature tamper-sig.sig tamper-sig
  expect "missing signature file" 1 --line "^Verification failed" -- \
    "$sigmount" verify key --public-key pub.pem --signature no-such.sig tamper-sig
  echo "not json" >garbage.sig
  expect "garbage signature file" 1 --line "^Verification failed" -- \
    "$sigmount" verify key --public-key pub.pem --signature garbage.sig tamper-sig
  # Endless inputs end at their bound with a clear line, not with memory exhausted.
  expect "endless signature file" 1 --line "signature /dev/zero: larger than" -- \
    "$sigmount" verify key --public-key pub.pem --signature /dev/zero tamper-sig
  expect "endless public key file" 1 --line "public key /dev/zero: larger than" -- \
    "$sigmount" verify key --public-key /dev/zero --signature tamper-sig.sig tamper-sig
  mkfifo fifo.sig  # nobody writes to it: planted where a signature is looked for
  expect "a named pipe as the signature does not hang" 1 --line "not valid JSON" -- \
    timeout 20 "$sigmount" verify key --public-key pub.pem --signature fifo.sig tamper-sig
  expect "endless trusted root" 1 --line "trusted root /dev/zero: larger than" -- \
    "$sigmount" verify sigstore --identity a --identity-provider b --trusted-root /dev/zero \
    --signature tamper-sig.sig tamper-sig

  # --ignore-unsigned-files tolerates an added file, never a changed one.
  make_model "$work/tamper-unsigned"
  "$sigmount" sign key --private-key key.pem --signature tamper-unsigned.sig tamper-unsigned \
    >/dev/null 2>&1
  echo extra >"$work/tamper-unsigned/README.md"
  expect "--ignore-unsigned-files accepts an added file" 0 -- "$sigmount" verify key \
    --public-key pub.pem --signature tamper-unsigned.sig --ignore-unsigned-files tamper-unsigned
  flip_byte "$work/tamper-unsigned/sub/tokenizer.json" 5
  expect "--ignore-unsigned-files still checks signed files" 1 --line "sub/tokenizer.json" -- \
    "$sigmount" verify key --public-key pub.pem --signature tamper-unsigned.sig \
    --ignore_unsigned_files tamper-unsigned
}

group_fixtures() {
  cp -r "$data" "$work/fixtures" && chmod -R u+w "$work/fixtures"
  cd "$work/fixtures" || return
  local v
  for v in v1.0.0 v1.1.0; do
    local key_model="$v-elliptic-key" key_ignore=() cert_ignore=()
    # v1.0.0 signed the single file signme-1; v1.1.0 the folder, recording ignore-me.
    [[ $v == v1.0.0 ]] && key_model="$v-elliptic-key/signme-1"
    [[ $v == v1.0.0 ]] && cert_ignore=(--ignore-paths "$v-certificate/ignore-me")
    expect "model_signing $v key bundle" 0 --line "^Verification succeeded$" -- \
      "$sigmount" verify key --public-key keys/signing-key-pub.pem \
      --signature "$v-elliptic-key/model.sig" "${key_ignore[@]}" "$key_model"
    expect "model_signing $v key bundle, other key" 1 --line "^Verification failed" -- \
      "$sigmount" verify key --public-key "$work/pub.pem" \
      --signature "$v-elliptic-key/model.sig" "$key_model"
    expect "model_signing $v certificate bundle" 0 --line "^Verification succeeded$" -- \
      "$sigmount" verify certificate --certificate-chain keys/ca-cert.pem \
      --signature "$v-certificate/model.sig" "${cert_ignore[@]}" "$v-certificate"
    expect "model_signing $v certificate bundle, untrusted CA" 1 --line "^Verification failed" -- \
      "$sigmount" verify certificate --certificate-chain "$work/other-ca.pem" \
      --signature "$v-certificate/model.sig" "${cert_ignore[@]}" "$v-certificate"
    local sig_ignore=()
    [[ $v == v1.0.0 ]] && sig_ignore=(--ignore-paths "$v-sigstore/ignore-me")
    expect "model_signing $v sigstore bundle" 0 --line "^Verification succeeded$" -- \
      "$sigmount" verify sigstore --identity stefanb@us.ibm.com \
      --identity-provider https://sigstore.verify.ibm.com/oauth2 \
      --trusted-root trusted_root.json --signature "$v-sigstore/model.sig" "${sig_ignore[@]}" \
      "$v-sigstore"
    expect "model_signing $v sigstore bundle, built-in root" 0 --line "^Verification succeeded$" -- \
      "$sigmount" verify sigstore --identity stefanb@us.ibm.com \
      --identity_provider https://sigstore.verify.ibm.com/oauth2 \
      --signature "$v-sigstore/model.sig" "${sig_ignore[@]}" "$v-sigstore"
    expect "model_signing $v sigstore bundle, other identity" 1 --line "^Verification failed" -- \
      "$sigmount" verify sigstore --identity someone@example.com \
      --identity-provider https://sigstore.verify.ibm.com/oauth2 \
      --trusted-root trusted_root.json --signature "$v-sigstore/model.sig" "${sig_ignore[@]}" \
      "$v-sigstore"
    expect "model_signing $v sigstore bundle, other issuer" 1 --line "^Verification failed" -- \
      "$sigmount" verify sigstore --identity stefanb@us.ibm.com \
      --identity-provider https://accounts.google.com \
      --trusted-root trusted_root.json --signature "$v-sigstore/model.sig" "${sig_ignore[@]}" \
      "$v-sigstore"
  done
  # model_signing's documented 2-file digest (signme-1 + signme-2).
  expect "digest of signme-1 + signme-2" 0 \
    --line "^sha256:61d4849d9d90076d6215f4d525f13d6574af8e3f67aef3e6f36fc40a14fdd226$" -- \
    "$sigmount" digest --ignore-paths v1.1.0-certificate/ignore-me \
    --ignore-paths v1.1.0-certificate/model.sig v1.1.0-certificate
  # A fixture with a flipped byte.
  cp -r v1.1.0-elliptic-key tampered-key
  flip_byte tampered-key/signme-2 3
  expect "model_signing v1.1.0 key bundle, tampered file" 1 \
    --line "^Verification failed.*signme-2" -- \
    "$sigmount" verify key --public-key keys/signing-key-pub.pem \
    --signature tampered-key/model.sig tampered-key
  cd "$work" || exit 1
}

# PKCS#11: a real SoftHSM token in a folder of the test's. Keys made on the token (P-256) or
# imported into it (P-384, and a pair whose public object is another key's); the token signs.
group_pkcs11() {
  local module="" candidate
  for candidate in /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so; do
    [[ -f $candidate ]] && module=$candidate && break
  done
  if [[ -z $module ]] || ! command -v pkcs11-tool >/dev/null; then
    echo "no libsofthsm2.so or pkcs11-tool (Debian softhsm2, opensc)" >"$out"
    fail "SoftHSM and pkcs11-tool are installed"
    return
  fi
  local hsm="$work/hsm"
  mkdir -p "$hsm/tokens"
  printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' \
    "$hsm" >"$hsm/softhsm2.conf"
  export SOFTHSM2_CONF="$hsm/softhsm2.conf"
  local tool=(pkcs11-tool --module "$module" --token-label sigmount-test)
  {
    softhsm2-util --init-token --free --label sigmount-test --so-pin 0000 --pin 24681357 &&
      "${tool[@]}" --login --pin 24681357 --keypairgen --key-type EC:prime256v1 \
        --label release --id 01 &&
      "${tool[@]}" --read-object --type pubkey --id 01 -o "$hsm/release.der" &&
      openssl pkey -pubin -inform DER -in "$hsm/release.der" -out "$hsm/release.pub" &&
      openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$hsm/p384.pem" &&
      openssl pkcs8 -topk8 -nocrypt -in "$hsm/p384.pem" -out "$hsm/p384.p8" &&
      openssl pkey -in "$hsm/p384.pem" -pubout -out "$hsm/p384.pub" &&
      softhsm2-util --import "$hsm/p384.p8" --token sigmount-test --label imported --id 03 \
        --pin 24681357 &&
      openssl pkcs8 -topk8 -nocrypt -in "$work/key.pem" -out "$hsm/mixed.p8" &&
      softhsm2-util --import "$hsm/mixed.p8" --token sigmount-test --label mixed --id 05 \
        --pin 24681357 &&
      "${tool[@]}" --login --pin 24681357 --delete-object --type pubkey --id 05 &&
      openssl pkey -pubin -in "$work/other-pub.pem" -outform DER -out "$hsm/other.der" &&
      "${tool[@]}" --login --pin 24681357 --write-object "$hsm/other.der" --type pubkey \
        --label mixed --id 05
  } >"$out" 2>&1 || { fail "make a SoftHSM token with keys"; return; }
  pass "make a SoftHSM token with keys"

  local uri="pkcs11:token=sigmount-test;object=release?module-path=$module&pin-value=24681357"
  make_model "$work/p11-model"
  expect "sign pkcs11-key (key made on the token)" 0 --line "^Signing succeeded$" -- \
    "$sigmount" sign pkcs11-key --pkcs11-uri "$uri" --signature p11.sig p11-model
  expect "its bundle verifies with the token's public key" 0 --line "^Verification succeeded$" -- \
    "$sigmount" verify key --public-key "$hsm/release.pub" --signature p11.sig p11-model
  expect "and not with another key" 1 --line "^Verification failed" -- \
    "$sigmount" verify key --public-key other-pub.pem --signature p11.sig p11-model
  if grep -q 24681357 p11.sig; then fail "the PIN is not in the bundle"; else pass "the PIN is not in the bundle"; fi

  echo 24681357 >"$hsm/pin"  # with the newline `echo` writes
  expect "sign pkcs11-key, id and pin-source file" 0 --line "^Signing succeeded$" -- \
    "$sigmount" sign pkcs11-key --signature p11-id.sig \
    --pkcs11-uri "pkcs11:id=%01?module-path=$module&pin-source=file:$hsm/pin" p11-model
  expect "  verifies" 0 -- "$sigmount" verify key --public-key "$hsm/release.pub" \
    --signature p11-id.sig p11-model
  expect "sign pkcs11-key, P-384, module-name in a module-path folder" 0 \
    --line "^Signing succeeded$" -- "$sigmount" sign pkcs11-key --signature p11-384.sig \
    --pkcs11-uri "pkcs11:object=imported;type=private?module-path=$(dirname "$module")&module-name=softhsm2&pin-value=24681357" \
    p11-model
  expect "  verifies" 0 -- "$sigmount" verify key --public-key "$hsm/p384.pub" \
    --signature p11-384.sig p11-model

  # Failures: one line saying which step, never the PIN, and no signature file.
  expect "wrong PIN" 1 --line "login to token 'sigmount-test' failed.*CKR_PIN_INCORRECT" -- \
    "$sigmount" sign pkcs11-key --signature p11-bad.sig \
    --pkcs11-uri "pkcs11:token=sigmount-test;object=release?module-path=$module&pin-value=97531" \
    p11-model
  if grep -q 97531 "$out" || [[ -e p11-bad.sig ]]; then
    fail "a refused PIN is not echoed and nothing is written"
  else
    pass "a refused PIN is not echoed and nothing is written"
  fi
  expect "no PIN for a token that needs one" 1 --line "requires a login" -- \
    "$sigmount" sign pkcs11-key --signature p11-bad.sig \
    --pkcs11-uri "pkcs11:object=release?module-path=$module" p11-model
  expect "no such object" 1 --line "no PKCS#11 private key with object 'nosuch' on token 'sigmount-test'" -- \
    "$sigmount" sign pkcs11-key --signature p11-bad.sig \
    --pkcs11-uri "pkcs11:object=nosuch?module-path=$module&pin-value=24681357" p11-model
  expect "no such token" 1 --line "no PKCS#11 token matches the URI.*tokens present: 'sigmount-test'" -- \
    "$sigmount" sign pkcs11-key --signature p11-bad.sig \
    --pkcs11-uri "pkcs11:token=other;object=release?module-path=$module&pin-value=24681357" p11-model
  expect "a public key object that is not the private key's pair" 1 \
    --line "does not verify with its public key object" -- \
    "$sigmount" sign pkcs11-key --signature p11-bad.sig \
    --pkcs11-uri "pkcs11:object=mixed?module-path=$module&pin-value=24681357" p11-model
  expect "no module" 1 --line "names no module" -- "$sigmount" sign pkcs11-key \
    --signature p11-bad.sig --pkcs11-uri "pkcs11:object=release?pin-value=24681357" p11-model
  expect "module-name not found" 1 --line "module-name nosuchmodule: not found in" -- \
    "$sigmount" sign pkcs11-key --signature p11-bad.sig \
    --pkcs11-uri "pkcs11:object=release?module-name=nosuchmodule" p11-model
  expect "unknown URI attribute" 1 --line "unknown path attribute 'colour'" -- \
    "$sigmount" sign pkcs11-key --signature p11-bad.sig \
    --pkcs11-uri "pkcs11:colour=red;object=release?module-path=$module" p11-model
  expect "pin-value and pin-source together" 1 --line "pin-value or pin-source, not both" -- \
    "$sigmount" sign pkcs11-key --signature p11-bad.sig \
    --pkcs11-uri "pkcs11:object=release?pin-value=1&pin-source=/x&module-path=$module" p11-model
  expect "--pkcs11-uri is required" 2 --line "pkcs11-uri" -- \
    "$sigmount" sign pkcs11-key --signature p11-bad.sig p11-model
  [[ -e p11-bad.sig ]] && { echo "p11-bad.sig exists" >"$out"; fail "failed signings write nothing"; }

  # pkcs11-certificate: a CA, a leaf for the token's P-384 key, verified as `verify certificate`.
  {
    openssl req -x509 -new -key "$work/key.pem" -subj "/CN=Token CA" -days 30 \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign \
      -out "$hsm/ca.pem" &&
      openssl req -new -key "$hsm/p384.pem" -subj "/CN=release signer" -out "$hsm/leaf.csr" &&
      printf 'keyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n' >"$hsm/leaf.ext" &&
      openssl x509 -req -in "$hsm/leaf.csr" -CA "$hsm/ca.pem" -CAkey "$work/key.pem" \
        -CAcreateserial -days 30 -extfile "$hsm/leaf.ext" -out "$hsm/leaf.pem"
  } >"$out" 2>&1 || { fail "make a CA and a leaf for the token key"; return; }
  local imported="pkcs11:object=imported?module-path=$module&pin-value=24681357"
  expect "sign pkcs11-certificate" 0 --line "^Signing succeeded$" -- \
    "$sigmount" sign pkcs11-certificate --pkcs11-uri "$imported" \
    --signing-certificate "$hsm/leaf.pem" --signature p11-cert.sig p11-model
  expect "  verifies as a certificate bundle" 0 --line "^Verification succeeded$" -- \
    "$sigmount" verify certificate --certificate-chain "$hsm/ca.pem" --signature p11-cert.sig \
    p11-model
  expect "  not under another CA" 1 --line "^Verification failed" -- \
    "$sigmount" verify certificate --certificate-chain other-ca.pem --signature p11-cert.sig \
    p11-model
  expect "pkcs11-certificate with another key's certificate" 1 \
    --line "not the one paired with the private key" -- \
    "$sigmount" sign pkcs11-certificate --signature p11-bad.sig \
    --pkcs11-uri "pkcs11:object=release?module-path=$module&pin-value=24681357" \
    --signing-certificate "$hsm/leaf.pem" p11-model
  # SLSA provenance signed on the token, both ways.
  local builder=https://builds.example.com/trainer
  local source=(--external-parameter source=git+https://github.com/example/models@refs/tags/v3)
  expect "provenance generate pkcs11-key" 0 -- "$sigmount" provenance generate pkcs11-key \
    --pkcs11-uri "$uri" --builder-id "$builder@v1" "${source[@]}" --provenance-path p11-prov.json \
    p11-model
  expect "  verifies with the token's public key" 0 -- "$sigmount" provenance verify key \
    --public-key "$hsm/release.pub" --provenance-path p11-prov.json \
    --source-uri github.com/example/models --source-tag v3 --builder-id "$builder" p11-model
  expect "provenance generate pkcs11-certificate" 0 -- "$sigmount" provenance generate \
    pkcs11-certificate --pkcs11-uri "$imported" --signing-certificate "$hsm/leaf.pem" \
    --builder-id "$builder@v1" "${source[@]}" --provenance-path p11-prov-cert.json p11-model
  expect "  verifies under the token CA" 0 -- "$sigmount" provenance verify certificate \
    --certificate-chain "$hsm/ca.pem" --provenance-path p11-prov-cert.json \
    --source-uri github.com/example/models --builder-id "$builder" p11-model

  flip_byte p11-model/sub/deeper/weights.bin 100
  expect "a tampered model fails against the token's signature" 1 --line "^Verification failed" -- \
    "$sigmount" verify key --public-key "$hsm/release.pub" --signature p11.sig p11-model
  unset SOFTHSM2_CONF
}

group_inspect() {
  expect "inspect a model_signing bundle" 0 --line "^UNVERIFIED" \
    --line "resources: *2" --line "signme-1" -- \
    "$sigmount" inspect "$data/v1.1.0-elliptic-key/model.sig"
  expect "inspect a model dir (DIR/model.sig)" 0 --line "^UNVERIFIED" --line "tlog entries: *1" -- \
    "$sigmount" inspect "$data/v1.1.0-sigstore"
  echo "{}" >empty.json
  expect "inspect a non-bundle exits 1" 1 --line "Inspect failed" -- "$sigmount" inspect empty.json
}

group_mount() {
  local model="$work/mount-model"
  mnt="$work/mnt"  # global: the EXIT trap unmounts it
  make_model "$model"
  mkdir -p "$mnt"
  "$sigmount" sign key --private-key key.pem --signature mount.sig "$model" >/dev/null 2>&1
  expect "mount with the wrong key exits 1" 1 --line "^Mount failed" -- \
    "$sigmount" mount key --public-key other-pub.pem --signature mount.sig "$model" "$mnt"
  # `sign` wrote ./mount.sig; the mount's default is beside the model, and it says so.
  expect "mount without a signature beside the model names the default and --signature" 1 \
    --line "^Mount failed: no signature at $model/model.sig .*--signature" -- \
    "$sigmount" mount key --public-key pub.pem "$model" "$mnt"
  # A manifest that lists the signature file itself: signed over a file named model.sig, which
  # the signature then replaces.
  local self="$work/self-signed"
  mkdir -p "$self" && echo weights >"$self/w.bin" && echo placeholder >"$self/model.sig"
  "$sigmount" sign key --private-key key.pem --signature self.sig "$self" >/dev/null 2>&1
  mv self.sig "$self/model.sig"
  expect "a manifest listing the signature file is refused" 1 \
    --line "is the signature file .* itself" -- \
    "$sigmount" mount key --public-key pub.pem "$self" "$mnt"
  # Mount hygiene: what is under MOUNTPOINT, and who may open /dev/fuse, told before anything
  # is verified.
  mkdir -p "$work/full-mountpoint" && echo hidden >"$work/full-mountpoint/notes.txt"
  expect "a non-empty MOUNTPOINT is refused" 1 \
    --line "^Mount failed: MOUNTPOINT .*full-mountpoint is not empty \(it holds notes.txt\).*-o nonempty" -- \
    "$sigmount" mount key --public-key pub.pem --signature mount.sig "$model" "$work/full-mountpoint"
  expect "... and mounted over with -o nonempty" 0 -- \
    "$sigmount" mount key --public-key pub.pem --signature mount.sig -o nonempty "$model" \
    "$work/full-mountpoint"
  expect "... serving the model there" 0 -- cmp "$work/full-mountpoint/sub/deeper/weights.bin" \
    "$model/sub/deeper/weights.bin"
  expect "... until unmounted" 0 -- fusermount3 -u "$work/full-mountpoint"
  expect "... which shows what was there again" 0 -- test -f "$work/full-mountpoint/notes.txt"
  # /dev/fuse that cannot be opened (the shim fails the open as the kernel would).
  local shim=${SIGMOUNT_TEST_FUSE_SHIM:-}
  if [[ -z $shim ]]; then
    shim="$(dirname "$sigmount")/../tests/tools/libfuse_device_shim.so"
  fi
  expect "an inaccessible /dev/fuse is named with what gives access" 1 \
    --line "^Mount failed: /dev/fuse is not accessible to this user .*Permission denied.*CAP_SYS_ADMIN.*--device /dev/fuse" -- \
    env LD_PRELOAD="$shim" SIGMOUNT_TEST_FUSE_ERRNO=EACCES \
    "$sigmount" mount key --public-key pub.pem --signature mount.sig "$model" "$mnt"
  expect "a machine without /dev/fuse says so" 1 \
    --line "^Mount failed: there is no /dev/fuse .*modprobe fuse" -- \
    env LD_PRELOAD="$shim" SIGMOUNT_TEST_FUSE_ERRNO=ENOENT \
    "$sigmount" mount key --public-key pub.pem --signature mount.sig "$model" "$mnt"
  # Where no syslog listens (containers, and most CI machines), the daemon's lines would vanish:
  # the mount says so while its caller still reads stderr. Where a syslog socket is there, it
  # is hidden in a mount namespace first.
  local no_syslog=()
  if [[ -e /dev/log ]]; then
    : >"$work/not-a-socket"
    no_syslog=(unshare -m sh -c 'mount --make-rprivate / && mount --bind "$1" /dev/log && shift &&
      "$@"; code=$?; fusermount3 -u "$mnt_in_ns" 2>/dev/null; exit $code' sh "$work/not-a-socket"
      env mnt_in_ns="$mnt")
  fi
  expect "without a syslog socket, a daemonized mount says where its log goes" 0 \
    --line "^sigmount: warning: no syslog here \(no socket at /dev/log\).*--log-file PATH" -- \
    "${no_syslog[@]}" "$sigmount" mount key --public-key pub.pem --signature mount.sig "$model" "$mnt"
  mountpoint -q "$mnt" && fusermount3 -u "$mnt"
  expect "... not when the log goes to a file" 0 -- \
    sh -c '! "$@" 2>&1 | grep -q "no syslog here"' sh \
    "$sigmount" mount key --public-key pub.pem --signature mount.sig --log-file "$work/mount.log" \
    "$model" "$mnt"
  mountpoint -q "$mnt" && fusermount3 -u "$mnt"
  echo not-a-directory >"$work/file-mountpoint"
  expect "a regular file as MOUNTPOINT is refused before anything is mounted" 1 \
    --line "^Mount failed: MOUNTPOINT .*file-mountpoint is not a directory" -- \
    "$sigmount" mount key --public-key pub.pem --signature mount.sig "$model" "$work/file-mountpoint"
  expect "a missing SOURCE is named" 1 --line "^Mount failed: SOURCE .*no-such-model does not exist" -- \
    "$sigmount" mount key --public-key pub.pem "$work/no-such-model" "$mnt"
  # The daemon fails after the fork (libfuse refuses this max_read at INIT): the command says
  # why, exits 1, and only once the mount is gone.
  expect "a daemon that fails before the mount answers: exit 1, with libfuse's reason" 1 \
    --line "maximum read size" --line "^Mount failed: the daemon ended before the mount answered$" -- \
    "$sigmount" mount key --public-key pub.pem --signature mount.sig -o max_read=4096 "$model" "$mnt"
  expect "... and nothing is left mounted" 32 -- mountpoint -q "$mnt"
  # Each shard is its own verified buffer, and a FUSE reply carries at most 1023: tiny shards
  # are refused at mount (a 128 KiB read of 64-byte shards hung its reader), not at sign.
  local tiny="$work/tiny-shards"
  mkdir -p "$tiny" && head -c 300000 /dev/urandom >"$tiny/t.bin"
  "$sigmount" sign key --private-key key.pem --serialization shards --shard-size 64 \
    --signature "$tiny/model.sig" "$tiny" >/dev/null 2>&1
  expect "shards under a page are refused at mount" 1 \
    --line "^Mount failed: shards of 64 bytes are too small to serve \(at least 4096\)" -- \
    "$sigmount" mount key --public-key pub.pem "$tiny" "$mnt"
  expect "... and verify checks that model" 0 -- \
    "$sigmount" verify key --public-key pub.pem --signature "$tiny/model.sig" "$tiny"
  # Nothing of an empty file is read through a mount, so an emptied one is caught at mount.
  cp "$model/sub/tokenizer.json" "$work/tokenizer.json" && : >"$model/sub/tokenizer.json"
  expect "a signed file emptied before the mount is refused" 1 \
    --line "^Mount failed: signed file sub/tokenizer.json is empty, but what was signed is not" -- \
    "$sigmount" mount key --public-key pub.pem --signature mount.sig "$model" "$mnt"
  cp "$work/tokenizer.json" "$model/sub/tokenizer.json"
  expect "mount key" 0 -- \
    "$sigmount" mount key --public_key pub.pem --signature=mount.sig "$model" "$mnt"
  if ! mountpoint -q "$mnt"; then
    fail "mounted"
    return
  fi
  trap 'mountpoint -q "$mnt" && fusermount3 -u "$mnt"; rm -rf "$work"' EXIT
  expect "read through the mount equals the original" 0 -- \
    cmp "$mnt/sub/deeper/weights.bin" "$model/sub/deeper/weights.bin"
  expect "the signature is not in the mount" 1 -- test -e "$mnt/mount.sig"
  flip_byte "$model/model-00001-of-00002.safetensors" 100
  expect "a tampered backing file reads as EIO" 1 --line "Input/output error" -- \
    cat "$mnt/model-00001-of-00002.safetensors"
  expect "status" 0 --line '"mismatches": *1' -- "$sigmount" status "$mnt"
  local daemon
  daemon=$(grep -Eo '"pid": *[0-9]+' "$out" | head -n 1 | grep -Eo '[0-9]+$')
  expect "a second mount on the same MOUNTPOINT is refused" 1 \
    --line "^Mount failed: MOUNTPOINT .*/mnt is a mount point already.*fusermount3 -u" -- \
    "$sigmount" mount key --public-key pub.pem --signature mount.sig "$model" "$mnt"
  # An mmap reader of a refused page dies of SIGBUS, with no word of why: the log and status
  # name the file, the offset and the reader.
  python3 -c 'import mmap, sys
with open(sys.argv[1], "rb") as f:
    m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    m[100]' "$mnt/model-00001-of-00002.safetensors" 2>/dev/null &
  local reader=$!
  wait "$reader"
  local code=$?
  if [[ $code -eq 135 ]]; then pass "an mmap reader of a tampered page gets SIGBUS"; else
    echo "     (exit $code, expected 135)" >"$out"; fail "an mmap reader of a tampered page gets SIGBUS"; fi
  expect "status names the refused read: file, offset and the reader's pid" 0 \
    --line '"last_refused_read": *\{"time": *"[0-9T:.Z-]+", *"file": *"model-00001-of-00002.safetensors", *"offset": *0,.*"pid": *'"$reader"', *"process": *"python3"' -- \
    "$sigmount" status "$mnt"
  expect "status of a non-mount exits 1" 1 -- "$sigmount" status "$work"
  expect "unmount" 0 -- fusermount3 -u "$mnt"
  # The daemon exits once unmounted; wait for it, so that its exit (and leak check) is over
  # before the sanitizer reports are looked at.
  while [[ -n $daemon ]] && kill -0 "$daemon" 2>/dev/null; do sleep 0.1; done

  # Daemonizing, `mount --verify-all` says nothing until the mount is ready: on a terminal it
  # shows how far hashing got, as sign and verify do.
  local big="$work/big-model"
  make_big_model "$big"
  "$sigmount" sign key --private-key key.pem --signature big.sig "$big" >/dev/null 2>&1
  expect "mount --verify-all shows a bar on a terminal" 0 --line 'verifying \[#{30}\] 100%' -- \
    on_terminal "$sigmount" mount key --public-key pub.pem --signature big.sig --verify-all \
    "$big" "$mnt"
  expect "mounted after --verify-all" 0 -- cmp -n 4194304 "$mnt/weights.bin" "$big/weights.bin"
  daemon=$("$sigmount" status "$mnt" | grep -Eo '"pid": *[0-9]+' | grep -Eo '[0-9]+$')
  expect "unmount after --verify-all" 0 -- fusermount3 -u "$mnt"
  while [[ -n $daemon ]] && kill -0 "$daemon" 2>/dev/null; do sleep 0.1; done
}

# SLSA provenance: slsa-verifier's real provenance (tests/data/slsa), then generate -> verify
# round trips with each sign method sigmount has.
group_provenance() {
  local slsa="$data/../slsa" pkg=github.com/slsa-framework/example-package
  local generic="$slsa/gha_generic/v2.1.0/binary-linux-amd64-push-v14.2"
  local trw=https://github.com/slsa-framework/example-trw/.github/workflows/builder_high-perms_slsa3.yml
  local publisher=https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml
  expect "provenance verify, generic builder, tag" 0 --line "^Provenance verification succeeded: built by https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.1.0" -- \
    "$sigmount" provenance verify --provenance-path "$generic.intoto.jsonl" --source-uri "$pkg" \
    --source-tag v14.2 "$generic"
  expect "provenance verify sigstore, generic builder, branch" 0 -- \
    "$sigmount" provenance verify sigstore --trusted-root "$data/trusted_root.json" \
    --provenance-path "$slsa/gha_generic/v2.1.0/binary-linux-amd64-workflow_dispatch.intoto.jsonl" \
    --source-uri "$pkg" --source-branch main "$generic"
  expect "provenance verify, delegator with its TRW" 0 -- \
    "$sigmount" provenance verify --provenance-path "$slsa/gha_delegator/v1.10.0/binary-linux-amd64-push-v14.2.build.slsa" \
    --source-uri "$pkg" --source-tag v14.2 --builder-id "$trw" \
    "$slsa/gha_delegator/v1.10.0/binary-linux-amd64-push-v14.2"
  expect "provenance verify, container-based builder, --print-provenance" 0 \
    --line '"buildType": ?"https://slsa.dev/container-based-build/v0.1\?draft"' -- \
    "$sigmount" provenance verify --print-provenance \
    --provenance-path "$slsa/gha_container-based/v1.9.0/binary-linux-amd64-push-v14.2.intoto.build.slsa" \
    --source-uri "$pkg" --source-tag v14.2 "$slsa/gha_container-based/v1.9.0/binary-linux-amd64-push-v14.2"
  expect "provenance verify, bcr publisher" 0 -- \
    "$sigmount" provenance verify --provenance-path "$slsa/bcr/MODULE.bazel.intoto.jsonl" \
    --source-uri github.com/aspect-build/rules_lint --builder-id "$publisher" "$slsa/bcr/MODULE.bazel"
  expect "a wrong source fails naming it" 1 \
    --line '^Provenance verification failed: source repository \(invocation.configSource.uri\): expected "git\+https://github.com/slsa-framework/other", found' -- \
    "$sigmount" provenance verify --provenance-path "$generic.intoto.jsonl" \
    --source-uri github.com/slsa-framework/other "$generic"
  expect "a wrong tag fails" 1 --line 'source tag: expected "v14.3", found "v14.2"' -- \
    "$sigmount" provenance verify --provenance-path "$generic.intoto.jsonl" --source-uri "$pkg" \
    --source-tag v14.3 "$generic"
  expect "a wrong branch fails" 1 --line 'source branch: expected "master", found "main"' -- \
    "$sigmount" provenance verify --provenance-path "$generic.intoto.jsonl" --source-uri "$pkg" \
    --source-branch master "$generic"
  expect "a wrong builder fails" 1 --line 'builder: untrusted' -- \
    "$sigmount" provenance verify --provenance-path "$generic.intoto.jsonl" --source-uri "$pkg" \
    --builder-id https://github.com/slsa-framework/slsa-github-generator/.github/workflows/not-trusted.yml "$generic"
  expect "the wrong signer fails" 1 \
    --line 'builder: untrusted: certificate workflow identity: expected .*found "https://github.com/loosebazooka/aa-test/' -- \
    "$sigmount" provenance verify --provenance-path "$slsa/bcr/MODULE-wrong-signer.bazel.intoto.jsonl" \
    --source-uri github.com/aspect-build/rules_lint --builder-id "$publisher" "$slsa/bcr/MODULE-wrong-signer.bazel"
  cp "$generic" changed-artifact && flip_byte changed-artifact 1000
  expect "a changed artifact fails" 1 --line '^Provenance verification failed: artifact changed-artifact: subject digest: expected sha256:' -- \
    "$sigmount" provenance verify --provenance-path "$generic.intoto.jsonl" --source-uri "$pkg" changed-artifact
  expect "--source-tag with --source-branch exits 2" 2 -- \
    "$sigmount" provenance verify --provenance-path "$generic.intoto.jsonl" --source-uri "$pkg" \
    --source-tag v1 --source-branch main "$generic"
  expect "generate sigstore says it is not available yet" 2 --line "not available yet" -- \
    "$sigmount" provenance generate sigstore --builder-id x usage-model

  # In-house: generate with each sign method, verify, tamper.
  local model="$work/prov-model" builder=https://builds.example.com/trainer
  make_model "$model"
  local source=(--external-parameter source=git+https://github.com/example/models@refs/tags/v3)
  expect "generate key" 0 -- "$sigmount" provenance generate key --private-key key.pem \
    --builder-id "$builder@v1" "${source[@]}" --resolved-dependency hf://example/base@sha256:00ff \
    --provenance-path prov-key.json "$model"
  expect "verify key, every model file a subject" 0 -- "$sigmount" provenance verify key \
    --public-key pub.pem --provenance-path prov-key.json --source-uri github.com/example/models \
    --source-tag v3 --builder-id "$builder" "$model"
  expect "verify key with another key fails" 1 -- "$sigmount" provenance verify key \
    --public-key other-pub.pem --provenance-path prov-key.json --source-uri github.com/example/models \
    --builder-id "$builder" "$model"
  expect "verify key without --builder-id fails saying so" 1 --line "--builder-id" -- \
    "$sigmount" provenance verify key --public-key pub.pem --provenance-path prov-key.json \
    --source-uri github.com/example/models "$model"
  python3 - prov-key.json tampered.json <<'PY'
import base64, json, sys
bundle = json.load(open(sys.argv[1]))
payload = base64.b64decode(bundle["dsseEnvelope"]["payload"]).replace(b"refs/tags/v3", b"refs/tags/v4")
bundle["dsseEnvelope"]["payload"] = base64.b64encode(payload).decode()
json.dump(bundle, open(sys.argv[2], "w"))
PY
  expect "a tampered statement fails" 1 --line "^Provenance verification failed: .*signature" -- \
    "$sigmount" provenance verify key --public-key pub.pem --provenance-path tampered.json \
    --source-uri github.com/example/models --source-tag v4 --builder-id "$builder" "$model"
  openssl req -x509 -new -key other-key.pem -subj "/CN=Builds CA" -days 30 -out builds-ca.pem \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
  openssl req -new -key key.pem -subj "/CN=trainer" 2>/dev/null |
    openssl x509 -req -CA builds-ca.pem -CAkey other-key.pem -days 30 -out builder-cert.pem \
      -extfile <(printf 'keyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n') 2>/dev/null
  expect "generate certificate, root digest subject" 0 -- "$sigmount" provenance generate certificate \
    --private-key key.pem --signing-certificate builder-cert.pem --builder-id "$builder@v1" \
    "${source[@]}" --subjects root-digest --provenance-path prov-cert.json "$model"
  expect "verify certificate" 0 -- "$sigmount" provenance verify certificate \
    --certificate-chain builds-ca.pem --provenance-path prov-cert.json \
    --source-uri github.com/example/models --builder-id "$builder" "$model"
  expect "verify certificate with an unrelated CA fails" 1 -- "$sigmount" provenance verify certificate \
    --certificate-chain other-ca.pem --provenance-path prov-cert.json \
    --source-uri github.com/example/models --builder-id "$builder" "$model"
  flip_byte "$model/sub/tokenizer.json" 10
  expect "a changed model file is not described" 1 --line "model file sub/tokenizer.json: subject digest" -- \
    "$sigmount" provenance verify key --public-key pub.pem --provenance-path prov-key.json \
    --source-uri github.com/example/models --builder-id "$builder" "$model"
  # In GitHub Actions the workflow context fills the record.
  env GITHUB_ACTIONS=true GITHUB_REPOSITORY=example/models GITHUB_REF=refs/heads/main \
    GITHUB_SHA=0123abcd GITHUB_WORKFLOW_REF=example/models/.github/workflows/train.yml@refs/heads/main \
    GITHUB_EVENT_NAME=push GITHUB_RUN_ID=7 RUNNER_ENVIRONMENT=github-hosted \
    "$sigmount" provenance generate key --private-key key.pem --builder-id "$builder@v1" \
    --provenance-path prov-gha.json "$model" >/dev/null 2>&1
  expect "GitHub Actions context: verify by branch" 0 \
    --line '"invocationId": ?"https://github.com/example/models/actions/runs/7/attempts/1"' -- \
    "$sigmount" provenance verify key --public-key pub.pem --provenance-path prov-gha.json \
    --source-uri https://github.com/example/models --source-branch main --builder-id "$builder" \
    --print-provenance "$model"
}

# A mount that requires provenance: both it and the signature must verify, of the same bytes.
group_provenance_mount() {
  local model="$work/prov-mount-model" builder=https://builds.example.com/trainer
  mnt="$work/prov-mnt"  # global: the EXIT trap unmounts it
  make_model "$model"
  mkdir -p "$mnt"
  trap 'mountpoint -q "$mnt" && fusermount3 -u "$mnt"; rm -rf "$work"' EXIT
  local source=(--external-parameter source=git+https://github.com/example/models@refs/tags/v3)
  local requirement=(--source-uri github.com/example/models --builder-id "$builder"
    --provenance-public-key pub.pem)
  "$sigmount" sign key --private-key key.pem --signature sig.json "$model" >/dev/null 2>&1
  "$sigmount" provenance generate key --private-key key.pem --builder-id "$builder@v1" \
    "${source[@]}" --provenance-path prov.json "$model" >/dev/null 2>&1
  "$sigmount" provenance generate key --private-key key.pem --builder-id "$builder@v1" \
    "${source[@]}" --subjects root-digest --provenance-path prov-root.json "$model" >/dev/null 2>&1
  expect "mount with provenance: accepted" 0 -- "$sigmount" mount key --public-key pub.pem \
    --signature sig.json --provenance prov.json "${requirement[@]}" --source-tag v3 "$model" "$mnt"
  expect "... and serves the model" 0 -- cmp "$mnt/sub/deeper/weights.bin" "$model/sub/deeper/weights.bin"
  fusermount3 -u "$mnt"
  expect "mount with root-digest provenance: accepted" 0 -- "$sigmount" mount key --public-key pub.pem \
    --signature sig.json --provenance prov-root.json "${requirement[@]}" "$model" "$mnt"
  fusermount3 -u "$mnt"
  expect "mount with a provenance of another source: refused in one line" 1 \
    --line '^Mount failed: source repository \(externalParameters.source\): expected "git\+https://github.com/example/other", found' -- \
    "$sigmount" mount key --public-key pub.pem --signature sig.json --provenance prov.json \
    --source-uri github.com/example/other --builder-id "$builder" --provenance-public-key pub.pem "$model" "$mnt"
  expect "... and nothing is mounted" 32 -- mountpoint -q "$mnt"
  expect "mount with a provenance of another builder: refused" 1 --line '^Mount failed: builder.id: expected' -- \
    "$sigmount" mount key --public-key pub.pem --signature sig.json --provenance prov.json \
    --source-uri github.com/example/models --builder-id https://builds.example.com/other \
    --provenance-public-key pub.pem "$model" "$mnt"
  expect "mount with a provenance signed by another key: refused" 1 --line '^Mount failed' -- \
    "$sigmount" mount key --public-key pub.pem --signature sig.json --provenance prov.json \
    --source-uri github.com/example/models --builder-id "$builder" --provenance-public-key other-pub.pem \
    "$model" "$mnt"
  # A provenance of other bytes: a model that differs in one file, then signed as it is now.
  cp -r "$model" "$work/other-model" && flip_byte "$work/other-model/sub/tokenizer.json" 3
  "$sigmount" provenance generate key --private-key key.pem --builder-id "$builder@v1" \
    "${source[@]}" --provenance-path prov-other.json "$work/other-model" >/dev/null 2>&1
  expect "mount with a provenance of other bytes than the signed manifest: refused in one line" 1 \
    --line '^Mount failed: provenance and signature describe different bytes: signed file sub/tokenizer.json \(sha256:[0-9a-f]{64}\) is not a provenance subject \(and 1 more\)$' -- \
    "$sigmount" mount key --public-key pub.pem --signature sig.json --provenance prov-other.json \
    "${requirement[@]}" "$model" "$mnt"
  expect "... and nothing is mounted" 32 -- mountpoint -q "$mnt"
  expect "--source-uri without --provenance exits 2" 2 -- "$sigmount" mount key --public-key pub.pem \
    --signature sig.json --source-uri github.com/example/models "$model" "$mnt"
}

# Under sanitizers (a sanitized build sets SIGMOUNT_SANITIZER_REPORTS) every sigmount process
# writes its reports to files in that folder instead of stderr: the mount daemon's stderr is
# /dev/null. Any report file fails the run.
if [[ -n ${SIGMOUNT_SANITIZER_REPORTS:-} ]]; then
  rm -rf "$SIGMOUNT_SANITIZER_REPORTS"
  mkdir -p "$SIGMOUNT_SANITIZER_REPORTS"
  for variable in ASAN_OPTIONS UBSAN_OPTIONS TSAN_OPTIONS; do
    export "$variable=${!variable:+${!variable}:}log_path=$SIGMOUNT_SANITIZER_REPORTS/report"
  done
fi
check_sanitizer_reports() {
  [[ -n ${SIGMOUNT_SANITIZER_REPORTS:-} ]] || return 0
  local report
  for report in "$SIGMOUNT_SANITIZER_REPORTS"/*; do
    [[ -e $report ]] || continue
    cp "$report" "$out"
    fail "sanitizer report $report"
  done
}

make_keys
for group in "${groups[@]}"; do
  echo "== $group"
  "group_$group"
done
check_sanitizer_reports
echo "cli tests: $passes passed, $failures failed"
[[ $failures -eq 0 ]]
