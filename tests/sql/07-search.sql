-- 07-search.sql — finding things (55-search.sql): words in the organisation's
-- language (stemming, accents ignored), -word excluding tickets, saved
-- searches per agent, the history with names, the desk's time zone.
BEGIN;
SELECT plan(25);
SET LOCAL search_path = guichet, public;

-- ville speaks French, agglo German (an admin's UPDATE).
SET SESSION AUTHORIZATION ada;
UPDATE organisation SET text_search_config = 'french' WHERE code = 'ville';
UPDATE organisation SET text_search_config = 'german' WHERE code = 'agglo';
SELECT throws_ok($$UPDATE organisation SET text_search_config = 'klingon' WHERE code = 'ville'$$,
    '42704', NULL, 'a language PostgreSQL does not know is refused');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT string_agg(DISTINCT search_config, ',') FROM ticket WHERE organisation_id = 1),
    'french', 'the organisation''s tickets follow its language');
SELECT is((SELECT string_agg(DISTINCT a.search_config, ',') FROM article a JOIN ticket t
    ON t.id = a.ticket_id WHERE t.organisation_id = 2), 'german', 'and their articles');

SET SESSION AUTHORIZATION alice;
SELECT is(create_ticket(1, 'Lampadaires éteints rue Haute', 'Plus aucune lumière depuis les orages.'),
    7::bigint, 'a new ticket');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT search_config FROM ticket WHERE id = 7), 'french', 'a new ticket takes its organisation''s');
SELECT is((SELECT search_config FROM article WHERE ticket_id = 7), 'french', 'and its first article');

-- Stemming and accents.
SET SESSION AUTHORIZATION alice;
SELECT is(ARRAY(SELECT x FROM search_text('chaussées') x ORDER BY 1), ARRAY[4, 6]::bigint[],
    'French stemming: chaussées finds chaussée (tickets 4 and 6)');
SELECT is(ARRAY(SELECT x FROM search_text('chaussee') x ORDER BY 1), ARRAY[4, 6]::bigint[], 'accents ignored: chaussee');
SELECT is(ARRAY(SELECT x FROM search_text('lampadaire') x ORDER BY 1), ARRAY[7]::bigint[], 'lampadaire finds lampadaires');
SELECT is(ARRAY(SELECT x FROM search_text('orage') x ORDER BY 1), ARRAY[7]::bigint[], 'a word of an article, stemmed');
SELECT is(ARRAY(SELECT x FROM search_text('passe') x ORDER BY 1), '{}'::bigint[], 'agglo''s ticket 5 is not alice''s to find');
SELECT is((SELECT count(*) FROM search_text('chaussées', 1)), 1::bigint, 'p_limit stops early');
RESET SESSION AUTHORIZATION;

-- -word excludes the ticket whose subject or any article has it.
SET SESSION AUTHORIZATION alice;
SELECT add_note(2, 'Voir la chaussée aussi');
SELECT add_note(7, 'Signalé urgent');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION carol;
SELECT add_note(4, 'Intervention urgente demandée');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION alice;
SELECT is(ARRAY(SELECT x FROM search_text('chaussée -urgent') x ORDER BY 1), ARRAY[2, 6]::bigint[],
    '-urgent: ticket 4 is left out (its note has the word), 2 and 6 stay');
SELECT is(ARRAY(SELECT x FROM search_text('chaussée -urgent', 10) x ORDER BY 1), ARRAY[2, 6]::bigint[],
    '-urgent, with a limit');
SELECT is(ARRAY(SELECT x FROM search_text('chaussée -"avenue Foch"') x ORDER BY 1), ARRAY[4, 6]::bigint[],
    '-"a phrase" excludes too');
SELECT is(ARRAY(SELECT x FROM search_text('-urgent', NULL, '{new,open}', 1) x ORDER BY 1), ARRAY[1, 2, 6]::bigint[],
    'only -words: the tickets of those statuses and queues without them');
SELECT ok(ARRAY(SELECT search_text('-urgent', 2, '{new,open}', 1)) <@ ARRAY[1, 2, 6]::bigint[],
    'only -words, with a limit');
SELECT is((SELECT count(*) FROM search_text('-urgent', 2, '{new,open}', 1)), 2::bigint,
    'only -words: at most the limit');
RESET SESSION AUTHORIZATION;

-- German, for agglo: Häuser, Haus.
SET SESSION AUTHORIZATION dave;
SELECT create_ticket(4, 'Drucker in beiden Häusern defekt', 'Bitte prüfen');
SELECT is((SELECT count(*) FROM search_text('haus')), 1::bigint, 'German stemming: Haus finds Häusern');
RESET SESSION AUTHORIZATION;

-- Saved searches, hers alone.
SET SESSION AUTHORIZATION alice;
SELECT search_save('Urgent', 'prio:>=4');
SELECT search_save('urgent', 'prio:5');
SELECT throws_ok($$SELECT search_save('', 'x')$$, 'GU005', NULL, 'a search has a name');
SELECT results_eq('SELECT name, query FROM saved_search', $$VALUES ('urgent', 'prio:5')$$,
    'saving under the same name (any case) replaces it');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION bob;
SELECT is((SELECT count(*) FROM saved_search), 0::bigint, 'bob does not see alice''s searches');
SELECT throws_ok($$SELECT search_forget('urgent')$$, 'GU006', NULL, 'nor forget them');
RESET SESSION AUTHORIZATION;

-- The history with names and the desk's time zone.
UPDATE setting SET value = 'Europe/Paris' WHERE key = 'time_zone';
SET SESSION AUTHORIZATION alice;
SELECT is(desk_time_zone(), 'Europe/Paris', 'the desk''s time zone is the setting');
SELECT claim(1);
SELECT is((SELECT new_value FROM ticket_history(1) WHERE field = 'owner'), 'alice',
    'the history names the owner');
RESET SESSION AUTHORIZATION;

SELECT * FROM finish();
ROLLBACK;
