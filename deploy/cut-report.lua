-- Cut a report back to its first ARGV[1] events: the repair of last resort for a report whose
-- stream holds an entry that cannot be read and that no backup can restore (deploy/README.md,
-- "A damaged report"). Run it only on the version `rapporteur doctor` calls readable, with
-- every server process stopped, after copying the stream aside:
--
--   redis-cli COPY 'report:{ID}:events' 'report:{ID}:events-damaged'
--   redis-cli --eval deploy/cut-report.lua 'report:{ID}:events' 'report:{ID}:commands' \
--       'report:{ID}:snapshots' 'report:{ID}:events-cut' 'report:{ID}:summary' \
--       'report:{ID}:blame' , KEEP
--
-- The stream is not trimmed nor given a gap (XDEL would leave the versions after it pointing
-- nowhere): its first KEEP entries are copied into KEYS[4], which then replaces it, so the
-- versions stay 1..KEEP and the next append is KEEP + 1. The command ids of the events cut
-- are forgotten (a client retrying one has it decided again, not answered with versions that
-- are gone), and so are the snapshots and blame checkpoints past KEEP, and the report's summary
-- for the listing (KEYS[5]: true at a version that is gone; the next listing folds the report
-- and writes it again). Returns {events cut, command ids forgotten}.
-- It blocks Redis while it copies: about a second per 100,000 events kept.
if #KEYS ~= 6 then
  return redis.error_reply('give the six keys: events, commands, snapshots, events-cut, summary, blame')
end
local keep = tonumber(ARGV[1])
if keep == nil or keep < 1 or keep ~= math.floor(keep) then
  return redis.error_reply('give the number of events to keep, 1 or more (delete a report whose first event is damaged)')
end
local length = redis.call('XLEN', KEYS[1])
if keep >= length then
  return redis.error_reply('the stream holds ' .. length .. ' events: nothing to cut')
end
redis.call('DEL', KEYS[4])
local copied, from = 0, '-'
while copied < keep do
  local entries = redis.call('XRANGE', KEYS[1], from, keep .. '-0', 'COUNT', 1000)
  if #entries == 0 then break end
  for _, entry in ipairs(entries) do
    copied = copied + 1
    if entry[1] ~= copied .. '-0' then
      redis.call('DEL', KEYS[4])
      return redis.error_reply('entry ' .. entry[1] .. ' is not version ' .. copied .. ': keep fewer events')
    end
    redis.call('XADD', KEYS[4], entry[1], unpack(entry[2]))
  end
  from = '(' .. entries[#entries][1]
end
if copied ~= keep then
  redis.call('DEL', KEYS[4])
  return redis.error_reply('only ' .. copied .. ' entries up to ' .. keep .. '-0: keep fewer events')
end
redis.call('RENAME', KEYS[4], KEYS[1])
local forgotten = 0
local ids = redis.call('HGETALL', KEYS[2])
for i = 1, #ids, 2 do
  local last = tonumber(string.match(ids[i + 1], ':(%d+)$'))
  if last == nil or last > keep then
    redis.call('HDEL', KEYS[2], ids[i])
    forgotten = forgotten + 1
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '(' .. keep, '+inf')
redis.call('DEL', KEYS[5])
redis.call('ZREMRANGEBYSCORE', KEYS[6], '(' .. keep, '+inf')
return {length - keep, forgotten}
