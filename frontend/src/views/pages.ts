import { h, setTitle } from '../dom';
import type { Route } from '../router';
import type { View } from './view';

type Page = Extract<Route, { name: 'page' }>['page'];

function about(): HTMLElement[] {
  return [
    h('h1', null, 'À propos de SocialConnect'),
    h(
      'p',
      { class: 'prose__lead' },
      "SocialConnect rassemble en un seul endroit les innovations sociales décrites par de nombreuses plateformes : réseaux de l'économie sociale et solidaire, fondations, collectivités, porteurs de projets.",
    ),
    h('h2', null, 'Ce que vous trouverez ici'),
    h(
      'ul',
      null,
      h('li', null, 'Un moteur de recherche en texte libre, qui tolère les accents, les majuscules et les pluriels.'),
      h('li', null, 'Une carte des initiatives, pour chercher près de chez vous.'),
      h('li', null, 'Une fiche par initiative, avec ses thèmes, ses publics, son porteur et les sites où elle est décrite.'),
    ),
    h('h2', null, 'Les données'),
    h(
      'p',
      null,
      'Les fiches sont collectées sur les plateformes sources puis harmonisées dans un vocabulaire commun (thèmes, publics, échelles, stades). Chaque fiche indique où elle est présente.',
    ),
    h(
      'p',
      null,
      'Les fiches marquées « Démo » sont des données de démonstration : elles servent à présenter le service et ne décrivent pas des initiatives réelles.',
    ),
    h(
      'p',
      null,
      'Les contours des régions proviennent de l’IGN (Admin Express) et de l’INSEE (Code officiel géographique), sous Licence Ouverte / Etalab.',
    ),
    h('h2', null, 'Une API ouverte'),
    h(
      'p',
      null,
      'Les données publiées sont accessibles en JSON à l’adresse ',
      h('code', null, '/api/v1/'),
      ', par exemple ',
      h('a', { href: '/api/v1/search?q=jardin' }, 'une recherche sur « jardin »'),
      '.',
    ),
  ];
}

function accessibility(): HTMLElement[] {
  return [
    h('h1', null, 'Accessibilité'),
    h('p', { class: 'prose__lead' }, 'SocialConnect s’engage à rendre son service accessible, conformément au référentiel général d’amélioration de l’accessibilité (RGAA).'),
    h('h2', null, 'État de conformité'),
    h('p', null, 'Le site est partiellement conforme : aucun audit complet n’a encore été mené.'),
    h('h2', null, 'Ce qui est fait'),
    h(
      'ul',
      null,
      h('li', null, 'Navigation complète au clavier, avec un focus visible et un lien d’évitement vers le contenu.'),
      h('li', null, 'Champs de formulaire étiquetés, nombre de résultats annoncé aux lecteurs d’écran.'),
      h('li', null, 'Contrastes des textes conformes au niveau AA.'),
      h('li', null, 'Affichage adapté aux petits écrans et au zoom du navigateur.'),
    ),
    h('h2', null, 'Limites connues'),
    h(
      'p',
      null,
      'La carte est un complément : toutes les informations qu’elle montre figurent aussi dans la liste des résultats et sur les fiches.',
    ),
  ];
}

/** The static information pages. */
export function pageView(root: HTMLElement, route: Page): View {
  const content = route === 'a-propos' ? about() : accessibility();
  setTitle(route === 'a-propos' ? 'À propos' : 'Accessibilité');
  root.append(h('div', { class: 'container prose' }, ...content));
  return { destroy() {} };
}
