-- One batch of synthetic initiatives: rows :first..:last for seed :seed (see generate.sh).
BEGIN;
INSERT INTO source (code, name, kind, is_demo)
VALUES ('bench', 'Données synthétiques (tests de charge)', 'demo', true)
ON CONFLICT (code) DO NOTHING;

CREATE TEMP TABLE words ON COMMIT DROP AS SELECT
 ARRAY['Jardin partagé', 'Épicerie solidaire', 'Recyclerie', 'Tiers-lieu', 'Repair café', 'Atelier vélo',
       'Garage solidaire', 'Café des aidants', 'Plateforme de mobilité', 'Accorderie', 'Ressourcerie',
       'Conciergerie solidaire', 'Habitat inclusif', 'Cantine solidaire', 'Fab lab', 'Maison de santé',
       'Chantier d''insertion', 'Monnaie locale', 'AMAP', 'Bus de la médiation numérique',
       'Régie de quartier', 'Banque alimentaire', 'École de production', 'Coopérative d''habitants',
       'Orchestre des quartiers', 'Club sportif inclusif', 'Friperie solidaire', 'Ferme pédagogique',
       'Centre social itinérant', 'Halte-répit'] AS kinds,
 ARRAY['des Lilas', 'du Centre', 'de la Vallée', 'des Deux Rives', 'du Plateau', 'de la Gare',
       'des Tilleuls', 'du Vieux Port', 'des Coteaux', 'de la Source', 'du Bocage', 'des Quatre Vents',
       'de l''Estuaire', 'du Marais', 'des Forges', 'de la Colline', 'du Canal', 'des Remparts'] AS places,
 ARRAY['Le projet réunit des habitants, des associations et la commune autour d''un besoin partagé.',
       'Chaque semaine, des bénévoles accueillent le public et orientent les personnes vers les bons interlocuteurs.',
       'L''initiative s''appuie sur un réseau de partenaires locaux : centre social, mission locale et bailleurs.',
       'Des ateliers gratuits permettent d''apprendre à réparer, cuisiner, jardiner ou se former au numérique.',
       'Le modèle économique combine ventes solidaires, subventions publiques et mécénat d''entreprises.',
       'Une évaluation menée avec une université montre des effets durables sur le lien social.',
       'Les personnes accompagnées participent à la gouvernance et aux choix du collectif.',
       'L''équipe salariée compte une dizaine de personnes en parcours d''insertion.',
       'Les produits proviennent de producteurs situés à moins de cinquante kilomètres.',
       'Le lieu est accessible aux personnes à mobilité réduite et propose une garde d''enfants.',
       'Après trois ans d''expérimentation, le dispositif essaime dans les communes voisines.',
       'Les jeunes du quartier y trouvent un premier emploi, un stage ou une formation qualifiante.'] AS sentences,
 ARRAY['Association', 'Collectif', 'Coopérative', 'Fondation', 'Régie', 'Réseau'] AS actor_kinds;

WITH inserted AS (
INSERT INTO initiative (slug, title, summary, description, actor_name, actor_type, themes, subthemes,
                        publics, scale, stage, start_year, commune_code, departement_code, region_code,
                        geom, geo_precision, status, created_at, updated_at)
SELECT 'bench-' || :seed || '-' || g.i,
       w.kinds[1 + h.a % cardinality(w.kinds)] || ' ' || w.places[1 + h.b % cardinality(w.places)],
       w.sentences[1 + h.c % cardinality(w.sentences)],
       concat_ws(E'\n\n', w.sentences[1 + h.d % cardinality(w.sentences)],
                 w.sentences[1 + h.e % cardinality(w.sentences)],
                 w.sentences[1 + h.f % cardinality(w.sentences)]),
       w.actor_kinds[1 + h.a % cardinality(w.actor_kinds)] || ' ' || w.places[1 + h.c % cardinality(w.places)],
       (SELECT code FROM vocabulary WHERE kind = 'actor_type' ORDER BY code OFFSET h.b % 12 LIMIT 1),
       ARRAY(SELECT code FROM vocabulary WHERE kind = 'theme' ORDER BY code OFFSET h.c % 16 LIMIT 1 + h.d % 3),
       ARRAY[]::text[],
       ARRAY(SELECT code FROM vocabulary WHERE kind = 'public' ORDER BY code OFFSET h.e % 13 LIMIT 1 + h.f % 2),
       (SELECT code FROM vocabulary WHERE kind = 'scale' ORDER BY code OFFSET h.a % 7 LIMIT 1),
       (SELECT code FROM vocabulary WHERE kind = 'stage' ORDER BY code OFFSET h.b % 4 LIMIT 1),
       2000 + h.c % 26,
       -- The territory is the point's: the commune containing it, else (at sea) the drawn département.
       c.code, coalesce(c.departement_code, d.code), coalesce(c.region_code, d.region_code), p.geom,
       'departement', 'published',
       timestamptz '2015-01-01 00:00:00+00' + (h.f % 315360000) * interval '1 second',
       timestamptz '2015-01-01 00:00:00+00' + (h.f % 315360000) * interval '1 second'
  FROM generate_series(:first::int, :last::int) AS g(i)
  CROSS JOIN words w
  CROSS JOIN LATERAL (SELECT abs(hashtext(:seed || ':a:' || g.i)) AS a, abs(hashtext(:seed || ':b:' || g.i)) AS b,
                             abs(hashtext(:seed || ':c:' || g.i)) AS c, abs(hashtext(:seed || ':d:' || g.i)) AS d,
                             abs(hashtext(:seed || ':e:' || g.i)) AS e, abs(hashtext(:seed || ':f:' || g.i)) AS f) h
  CROSS JOIN LATERAL (SELECT code, region_code, point FROM territory
                       WHERE level = 'departement' ORDER BY code OFFSET h.a % 101 LIMIT 1) d
  -- Within about 20 km of a point inside the département.
  CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint(ST_X(d.point) + ((h.d % 4001) - 2000) / 10000.0,
                                                     ST_Y(d.point) + ((h.e % 4001) - 2000) / 14000.0), 4326)
                             AS geom) p
  LEFT JOIN LATERAL (SELECT t.code, t.departement_code, t.region_code FROM territory t
                      WHERE t.level = 'commune' AND ST_Intersects(t.contour, p.geom)
                      ORDER BY t.code LIMIT 1) c ON true
ON CONFLICT (slug) DO NOTHING
RETURNING id, slug)
INSERT INTO source_record (source_id, external_id, raw, content_hash, initiative_id)
SELECT s.id, i.slug, jsonb_build_object('seed', :seed), md5(i.slug), i.id
  FROM inserted i JOIN source s ON s.code = 'bench'
ON CONFLICT (source_id, external_id) DO NOTHING;
COMMIT;
