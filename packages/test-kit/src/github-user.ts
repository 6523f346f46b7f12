/** GitHub's public user (or organization) document, as `GET /users/{login}` answers it: what the fakes serve. */
export function publicUser(login: string, type: 'User' | 'Organization'): object {
  const api = `https://api.github.com/users/${login}`;
  return {
    login, id: 4242, node_id: 'MDQ6VXNlcjQyNDI=', avatar_url: 'https://avatars.githubusercontent.com/u/4242?v=4', gravatar_id: '',
    url: api, html_url: `https://github.com/${login}`, followers_url: `${api}/followers`, following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`, starred_url: `${api}/starred{/owner}{/repo}`, subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`, repos_url: `${api}/repos`, events_url: `${api}/events{/privacy}`, received_events_url: `${api}/received_events`,
    type, site_admin: false, name: login, company: null, blog: '', location: null, email: null, hireable: null, bio: null,
    public_repos: 3, public_gists: 0, followers: 1, following: 0, created_at: '2020-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z',
    user_view_type: 'public',
  };
}
