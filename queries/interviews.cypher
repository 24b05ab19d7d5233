// name: interviews
// title: Interviews
// description: Every interview: its title, source file, format, number of turns and words, and whether any turn is coded.
// param: study STUDY = all  Only this study's rows (its id or title), or all
// returns: interview, title, source, format, turns, words, coded, study
MATCH (i:Interview)
WHERE $study = '' OR i.study = $study
RETURN i.id AS interview, i.title AS title, i.source AS source, i.format AS format, i.turns AS turns,
       i.words AS words, i.coded AS coded, i.study AS study
ORDER BY interview
