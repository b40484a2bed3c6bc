#!/bin/bash
# Fills a database with the previous release's binary, for upgrade_test.go:
#   git worktree add /tmp/prev c97276d && (cd /tmp/prev && go build -o /tmp/prevbin/businesstools .)
#   make-upgrade-fixtures.sh "" DIR PORT                     # SQLite; then sqlite3 DIR/businesstools.db .dump
#   make-upgrade-fixtures.sh postgres://…/EMPTY_DB DIR PORT  # then pg_dump --no-owner --no-privileges --column-inserts
# (drop the \restrict lines newer pg_dump writes). It prints the two API keys the test uses.
set -euo pipefail
BIN=${BIN:-/tmp/prevbin/businesstools}
export BT_MASTER_KEY=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=
export BT_ADMIN_EMAIL=owner@example.com BT_ADMIN_PASSWORD='correct horse battery staple'
export DATABASE_URL="$1" BT_DATA_DIR="$2" BT_ADDR="127.0.0.1:$3" BT_ENV=development
URL="http://127.0.0.1:$3"
# a second account's admin and a second admin of the first account, through the CLI
$BIN >"$2/server.log" 2>&1 &
PID=$!; trap "kill $PID 2>/dev/null" EXIT
for i in $(seq 50); do curl -sf $URL/healthz >/dev/null && break; sleep 0.2; done
printf 'second admin password\n' | $BIN admin create --account Default --email second@example.com
printf 'other account password\n' | $BIN admin create --account Other --email other@example.org
gql() { # token query vars
  curl -sf -H 'Content-Type: application/json' ${1:+-H "Authorization: Bearer $1"} $URL/graphql \
    -d "$(jq -nc --arg q "$2" --argjson v "${3:-{\}}" '{query:$q,variables:$v}')"
}
login() { gql "" 'mutation($e:String!,$p:String!){login(input:{email:$e,password:$p}){token}}' "$(jq -nc --arg e "$1" --arg p "$2" '{e:$e,p:$p}')" | jq -r .data.login.token; }
OWNER=$(login owner@example.com 'correct horse battery staple')
OTHER=$(login other@example.org 'other account password')
gql "" 'mutation{login(input:{email:"owner@example.com",password:"wrong password"}){token}}' >/dev/null || true
mk() { gql "$1" 'mutation($in:CreateApiKeyInput!){createApiKey(input:$in){secret apiKey{id}}}' "$2"; }
K1=$(mk $OWNER '{"in":{"name":"Mailer","permissions":["SEND_EMAILS","MANAGE_EMAIL_TEMPLATES"],"rateLimit":20}}')
K2=$(mk $OWNER '{"in":{"name":"CRM sync","permissions":["READ_LEADS","WRITE_LEADS","DELETE_LEADS"],"ipAllowlist":["127.0.0.1/32","10.0.0.0/8"],"expiresAt":"2031-01-02T03:04:05Z"}}')
K3=$(mk $OWNER '{"in":{"name":"Old job","permissions":["READ_LEADS"]}}')
K4=$(mk $OWNER '{"in":{"name":"Doomed","permissions":["SEND_EMAILS"]}}')
K5=$(mk $OTHER '{"in":{"name":"Other key","permissions":["WRITE_LEADS","READ_LEADS"]}}')
id() { echo "$1" | jq -r .data.createApiKey.apiKey.id; }
sec() { echo "$1" | jq -r .data.createApiKey.secret; }
gql $OWNER "mutation{setApiKeyActive(id:\"$(id "$K3")\",active:false){id}}" >/dev/null
gql $OWNER "mutation{updateApiKey(id:\"$(id "$K1")\",input:{name:\"Mailer v2\"}){id}}" >/dev/null
gql $OWNER "mutation{revealApiKey(id:\"$(id "$K1")\",password:\"correct horse battery staple\"){secret}}" >/dev/null
gql $OWNER "mutation{revealApiKey(id:\"$(id "$K1")\",password:\"nope nope nope\"){secret}}" >/dev/null || true
R=$(gql $OWNER "mutation{rollApiKey(id:\"$(id "$K2")\",oldSecretValidFor:604800){secret}}")
gql $OWNER "mutation{deleteApiKey(id:\"$(id "$K4")\"){deletedId}}" >/dev/null
M=$(sec "$K1"); C=$(echo "$R" | jq -r .data.rollApiKey.secret); O=$(sec "$K5")
rest() { local k=$1; shift; curl -sf -H "Authorization: Bearer $k" -H "Content-Type: application/json" "$@"; }
rest $M -X POST $URL/v1/templates -d '{"name":"welcome","subject":"Hi {{.name}}","html":"<p>Hello {{.name}}</p>","text":"Hello {{.name}}"}' >/tmp/fixture/tpl.json
TPL=$(jq -r .id /tmp/fixture/tpl.json)
rest $M -X POST $URL/v1/emails -H 'Idempotency-Key: fixture-1' -d "{\"to\":[\"a@example.net\"],\"template_id\":$TPL,\"variables\":{\"name\":\"Ann\"}}" >/dev/null
rest $M -X POST $URL/v1/emails -d '{"to":["b@example.net"],"cc":["c@example.net"],"subject":"Plain","text":"Plain text body"}' >/dev/null
rest $C -X POST $URL/v1/leads -d '{"email":"lead1@example.com","first_name":"Lea","last_name":"Dee","company":"ACME","status":"qualified","source":"web","custom":{"plan":"pro","seats":12}}' >/dev/null
rest $C -X POST $URL/v1/leads -d '{"email":"lead2@example.com","phone":"+1 555 0100"}' >/dev/null
rest $O -X POST $URL/v1/leads -d '{"email":"other-lead@example.com"}' >/dev/null
rest $C $URL/v1/leads >/dev/null
sleep 2.5 # usage flush + mail capture
kill -TERM $PID; wait $PID || true
echo "MAILER_KEY=$M"
echo "CRM_KEY=$C"
