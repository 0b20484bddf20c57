/* The sign-in page: nobody is signed in on this browser now, so the answer pages the service
   worker kept for the previous respondent (a shared computer in the questionnaire room) go. */
(function () {
  "use strict";
  if (window.caches) { caches.delete("jiance-questionnaires-v1").catch(function () {}); }
})();
