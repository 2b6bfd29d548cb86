/** Where the learner's theme pick is kept: 'light' or 'dark'; absent means follow the system. */
export const THEME_KEY = 'socket-playground:theme';

/**
 * Runs inline in <head>, before the first paint, so a picked theme never flashes the other one.
 * The only inline script on the site: the server's Content-Security-Policy allows it by its hash.
 */
export const THEME_BOOT = `try{var t=localStorage.getItem(${JSON.stringify(THEME_KEY)});if(t==='light'||t==='dark')document.documentElement.dataset.theme=t}catch(e){}`;

