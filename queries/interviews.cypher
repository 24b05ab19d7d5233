// name: interviews
// title: Interviews
// description: Every interview: its title, source file, format, number of turns and words, and whether any turn is coded.
// returns: interview, title, source, format, turns, words, coded
MATCH (i:Interview)
RETURN i.id AS interview, i.title AS title, i.source AS source, i.format AS format, i.turns AS turns,
       i.words AS words, i.coded AS coded
ORDER BY interview
