var Y=globalThis,G=Y.ShadowRoot&&(Y.ShadyCSS===void 0||Y.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,at=Symbol(),Ot=new WeakMap,W=class{constructor(e,t,s){if(this._$cssResult$=!0,s!==at)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=e,this.t=t}get styleSheet(){let e=this.o,t=this.t;if(G&&e===void 0){let s=t!==void 0&&t.length===1;s&&(e=Ot.get(t)),e===void 0&&((this.o=e=new CSSStyleSheet).replaceSync(this.cssText),s&&Ot.set(t,e))}return e}toString(){return this.cssText}},Rt=a=>new W(typeof a=="string"?a:a+"",void 0,at),f=(a,...e)=>{let t=a.length===1?a[0]:e.reduce((s,i,n)=>s+(l=>{if(l._$cssResult$===!0)return l.cssText;if(typeof l=="number")return l;throw Error("Value passed to 'css' function must be a 'css' function result: "+l+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(i)+a[n+1],a[0]);return new W(t,a,at)},Dt=(a,e)=>{if(G)a.adoptedStyleSheets=e.map(t=>t instanceof CSSStyleSheet?t:t.styleSheet);else for(let t of e){let s=document.createElement("style"),i=Y.litNonce;i!==void 0&&s.setAttribute("nonce",i),s.textContent=t.cssText,a.appendChild(s)}},nt=G?a=>a:a=>a instanceof CSSStyleSheet?(e=>{let t="";for(let s of e.cssRules)t+=s.cssText;return Rt(t)})(a):a;var{is:ue,defineProperty:me,getOwnPropertyDescriptor:ge,getOwnPropertyNames:_e,getOwnPropertySymbols:fe,getPrototypeOf:$e}=Object,Q=globalThis,Ft=Q.trustedTypes,be=Ft?Ft.emptyScript:"",ye=Q.reactiveElementPolyfillSupport,B=(a,e)=>a,ot={toAttribute(a,e){switch(e){case Boolean:a=a?be:null;break;case Object:case Array:a=a==null?a:JSON.stringify(a)}return a},fromAttribute(a,e){let t=a;switch(e){case Boolean:t=a!==null;break;case Number:t=a===null?null:Number(a);break;case Object:case Array:try{t=JSON.parse(a)}catch{t=null}}return t}},Wt=(a,e)=>!ue(a,e),It={attribute:!0,type:String,converter:ot,reflect:!1,useDefault:!1,hasChanged:Wt};Symbol.metadata??=Symbol("metadata"),Q.litPropertyMetadata??=new WeakMap;var E=class extends HTMLElement{static addInitializer(e){this._$Ei(),(this.l??=[]).push(e)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(e,t=It){if(t.state&&(t.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(e)&&((t=Object.create(t)).wrapped=!0),this.elementProperties.set(e,t),!t.noAccessor){let s=Symbol(),i=this.getPropertyDescriptor(e,s,t);i!==void 0&&me(this.prototype,e,i)}}static getPropertyDescriptor(e,t,s){let{get:i,set:n}=ge(this.prototype,e)??{get(){return this[t]},set(l){this[t]=l}};return{get:i,set(l){let h=i?.call(this);n?.call(this,l),this.requestUpdate(e,h,s)},configurable:!0,enumerable:!0}}static getPropertyOptions(e){return this.elementProperties.get(e)??It}static _$Ei(){if(this.hasOwnProperty(B("elementProperties")))return;let e=$e(this);e.finalize(),e.l!==void 0&&(this.l=[...e.l]),this.elementProperties=new Map(e.elementProperties)}static finalize(){if(this.hasOwnProperty(B("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(B("properties"))){let t=this.properties,s=[..._e(t),...fe(t)];for(let i of s)this.createProperty(i,t[i])}let e=this[Symbol.metadata];if(e!==null){let t=litPropertyMetadata.get(e);if(t!==void 0)for(let[s,i]of t)this.elementProperties.set(s,i)}this._$Eh=new Map;for(let[t,s]of this.elementProperties){let i=this._$Eu(t,s);i!==void 0&&this._$Eh.set(i,t)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(e){let t=[];if(Array.isArray(e)){let s=new Set(e.flat(1/0).reverse());for(let i of s)t.unshift(nt(i))}else e!==void 0&&t.push(nt(e));return t}static _$Eu(e,t){let s=t.attribute;return s===!1?void 0:typeof s=="string"?s:typeof e=="string"?e.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(e=>this.enableUpdating=e),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(e=>e(this))}addController(e){(this._$EO??=new Set).add(e),this.renderRoot!==void 0&&this.isConnected&&e.hostConnected?.()}removeController(e){this._$EO?.delete(e)}_$E_(){let e=new Map,t=this.constructor.elementProperties;for(let s of t.keys())this.hasOwnProperty(s)&&(e.set(s,this[s]),delete this[s]);e.size>0&&(this._$Ep=e)}createRenderRoot(){let e=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return Dt(e,this.constructor.elementStyles),e}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(e=>e.hostConnected?.())}enableUpdating(e){}disconnectedCallback(){this._$EO?.forEach(e=>e.hostDisconnected?.())}attributeChangedCallback(e,t,s){this._$AK(e,s)}_$ET(e,t){let s=this.constructor.elementProperties.get(e),i=this.constructor._$Eu(e,s);if(i!==void 0&&s.reflect===!0){let n=(s.converter?.toAttribute!==void 0?s.converter:ot).toAttribute(t,s.type);this._$Em=e,n==null?this.removeAttribute(i):this.setAttribute(i,n),this._$Em=null}}_$AK(e,t){let s=this.constructor,i=s._$Eh.get(e);if(i!==void 0&&this._$Em!==i){let n=s.getPropertyOptions(i),l=typeof n.converter=="function"?{fromAttribute:n.converter}:n.converter?.fromAttribute!==void 0?n.converter:ot;this._$Em=i;let h=l.fromAttribute(t,n.type);this[i]=h??this._$Ej?.get(i)??h,this._$Em=null}}requestUpdate(e,t,s,i=!1,n){if(e!==void 0){let l=this.constructor;if(i===!1&&(n=this[e]),s??=l.getPropertyOptions(e),!((s.hasChanged??Wt)(n,t)||s.useDefault&&s.reflect&&n===this._$Ej?.get(e)&&!this.hasAttribute(l._$Eu(e,s))))return;this.C(e,t,s)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(e,t,{useDefault:s,reflect:i,wrapped:n},l){s&&!(this._$Ej??=new Map).has(e)&&(this._$Ej.set(e,l??t??this[e]),n!==!0||l!==void 0)||(this._$AL.has(e)||(this.hasUpdated||s||(t=void 0),this._$AL.set(e,t)),i===!0&&this._$Em!==e&&(this._$Eq??=new Set).add(e))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(t){Promise.reject(t)}let e=this.scheduleUpdate();return e!=null&&await e,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[i,n]of this._$Ep)this[i]=n;this._$Ep=void 0}let s=this.constructor.elementProperties;if(s.size>0)for(let[i,n]of s){let{wrapped:l}=n,h=this[i];l!==!0||this._$AL.has(i)||h===void 0||this.C(i,void 0,n,h)}}let e=!1,t=this._$AL;try{e=this.shouldUpdate(t),e?(this.willUpdate(t),this._$EO?.forEach(s=>s.hostUpdate?.()),this.update(t)):this._$EM()}catch(s){throw e=!1,this._$EM(),s}e&&this._$AE(t)}willUpdate(e){}_$AE(e){this._$EO?.forEach(t=>t.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(e)),this.updated(e)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(e){return!0}update(e){this._$Eq&&=this._$Eq.forEach(t=>this._$ET(t,this[t])),this._$EM()}updated(e){}firstUpdated(e){}};E.elementStyles=[],E.shadowRootOptions={mode:"open"},E[B("elementProperties")]=new Map,E[B("finalized")]=new Map,ye?.({ReactiveElement:E}),(Q.reactiveElementVersions??=[]).push("2.1.2");var mt=globalThis,Bt=a=>a,tt=mt.trustedTypes,jt=tt?tt.createPolicy("lit-html",{createHTML:a=>a}):void 0,Jt="$lit$",C=`lit$${Math.random().toFixed(9).slice(2)}$`,Yt="?"+C,ve=`<${Yt}>`,U=document,K=()=>U.createComment(""),q=a=>a===null||typeof a!="object"&&typeof a!="function",gt=Array.isArray,xe=a=>gt(a)||typeof a?.[Symbol.iterator]=="function",lt=`[ 	
\f\r]`,j=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,Kt=/-->/g,qt=/>/g,M=RegExp(`>|${lt}(?:([^\\s"'>=/]+)(${lt}*=${lt}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),Zt=/'/g,Vt=/"/g,Gt=/^(?:script|style|textarea|title)$/i,_t=a=>(e,...t)=>({_$litType$:a,strings:e,values:t}),o=_t(1),N=_t(2),Ue=_t(3),L=Symbol.for("lit-noChange"),c=Symbol.for("lit-nothing"),Xt=new WeakMap,H=U.createTreeWalker(U,129);function Qt(a,e){if(!gt(a)||!a.hasOwnProperty("raw"))throw Error("invalid template strings array");return jt!==void 0?jt.createHTML(e):e}var we=(a,e)=>{let t=a.length-1,s=[],i,n=e===2?"<svg>":e===3?"<math>":"",l=j;for(let h=0;h<t;h++){let d=a[h],u,m,p=-1,$=0;for(;$<d.length&&(l.lastIndex=$,m=l.exec(d),m!==null);)$=l.lastIndex,l===j?m[1]==="!--"?l=Kt:m[1]!==void 0?l=qt:m[2]!==void 0?(Gt.test(m[2])&&(i=RegExp("</"+m[2],"g")),l=M):m[3]!==void 0&&(l=M):l===M?m[0]===">"?(l=i??j,p=-1):m[1]===void 0?p=-2:(p=l.lastIndex-m[2].length,u=m[1],l=m[3]===void 0?M:m[3]==='"'?Vt:Zt):l===Vt||l===Zt?l=M:l===Kt||l===qt?l=j:(l=M,i=void 0);let y=l===M&&a[h+1].startsWith("/>")?" ":"";n+=l===j?d+ve:p>=0?(s.push(u),d.slice(0,p)+Jt+d.slice(p)+C+y):d+C+(p===-2?h:y)}return[Qt(a,n+(a[t]||"<?>")+(e===2?"</svg>":e===3?"</math>":"")),s]},Z=class a{constructor({strings:e,_$litType$:t},s){let i;this.parts=[];let n=0,l=0,h=e.length-1,d=this.parts,[u,m]=we(e,t);if(this.el=a.createElement(u,s),H.currentNode=this.el.content,t===2||t===3){let p=this.el.content.firstChild;p.replaceWith(...p.childNodes)}for(;(i=H.nextNode())!==null&&d.length<h;){if(i.nodeType===1){if(i.hasAttributes())for(let p of i.getAttributeNames())if(p.endsWith(Jt)){let $=m[l++],y=i.getAttribute(p).split(C),S=/([.?@])?(.*)/.exec($);d.push({type:1,index:n,name:S[2],strings:y,ctor:S[1]==="."?ct:S[1]==="?"?ht:S[1]==="@"?pt:F}),i.removeAttribute(p)}else p.startsWith(C)&&(d.push({type:6,index:n}),i.removeAttribute(p));if(Gt.test(i.tagName)){let p=i.textContent.split(C),$=p.length-1;if($>0){i.textContent=tt?tt.emptyScript:"";for(let y=0;y<$;y++)i.append(p[y],K()),H.nextNode(),d.push({type:2,index:++n});i.append(p[$],K())}}}else if(i.nodeType===8)if(i.data===Yt)d.push({type:2,index:n});else{let p=-1;for(;(p=i.data.indexOf(C,p+1))!==-1;)d.push({type:7,index:n}),p+=C.length-1}n++}}static createElement(e,t){let s=U.createElement("template");return s.innerHTML=e,s}};function D(a,e,t=a,s){if(e===L)return e;let i=s!==void 0?t._$Co?.[s]:t._$Cl,n=q(e)?void 0:e._$litDirective$;return i?.constructor!==n&&(i?._$AO?.(!1),n===void 0?i=void 0:(i=new n(a),i._$AT(a,t,s)),s!==void 0?(t._$Co??=[])[s]=i:t._$Cl=i),i!==void 0&&(e=D(a,i._$AS(a,e.values),i,s)),e}var dt=class{constructor(e,t){this._$AV=[],this._$AN=void 0,this._$AD=e,this._$AM=t}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(e){let{el:{content:t},parts:s}=this._$AD,i=(e?.creationScope??U).importNode(t,!0);H.currentNode=i;let n=H.nextNode(),l=0,h=0,d=s[0];for(;d!==void 0;){if(l===d.index){let u;d.type===2?u=new V(n,n.nextSibling,this,e):d.type===1?u=new d.ctor(n,d.name,d.strings,this,e):d.type===6&&(u=new ut(n,this,e)),this._$AV.push(u),d=s[++h]}l!==d?.index&&(n=H.nextNode(),l++)}return H.currentNode=U,i}p(e){let t=0;for(let s of this._$AV)s!==void 0&&(s.strings!==void 0?(s._$AI(e,s,t),t+=s.strings.length-2):s._$AI(e[t])),t++}},V=class a{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(e,t,s,i){this.type=2,this._$AH=c,this._$AN=void 0,this._$AA=e,this._$AB=t,this._$AM=s,this.options=i,this._$Cv=i?.isConnected??!0}get parentNode(){let e=this._$AA.parentNode,t=this._$AM;return t!==void 0&&e?.nodeType===11&&(e=t.parentNode),e}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(e,t=this){e=D(this,e,t),q(e)?e===c||e==null||e===""?(this._$AH!==c&&this._$AR(),this._$AH=c):e!==this._$AH&&e!==L&&this._(e):e._$litType$!==void 0?this.$(e):e.nodeType!==void 0?this.T(e):xe(e)?this.k(e):this._(e)}O(e){return this._$AA.parentNode.insertBefore(e,this._$AB)}T(e){this._$AH!==e&&(this._$AR(),this._$AH=this.O(e))}_(e){this._$AH!==c&&q(this._$AH)?this._$AA.nextSibling.data=e:this.T(U.createTextNode(e)),this._$AH=e}$(e){let{values:t,_$litType$:s}=e,i=typeof s=="number"?this._$AC(e):(s.el===void 0&&(s.el=Z.createElement(Qt(s.h,s.h[0]),this.options)),s);if(this._$AH?._$AD===i)this._$AH.p(t);else{let n=new dt(i,this),l=n.u(this.options);n.p(t),this.T(l),this._$AH=n}}_$AC(e){let t=Xt.get(e.strings);return t===void 0&&Xt.set(e.strings,t=new Z(e)),t}k(e){gt(this._$AH)||(this._$AH=[],this._$AR());let t=this._$AH,s,i=0;for(let n of e)i===t.length?t.push(s=new a(this.O(K()),this.O(K()),this,this.options)):s=t[i],s._$AI(n),i++;i<t.length&&(this._$AR(s&&s._$AB.nextSibling,i),t.length=i)}_$AR(e=this._$AA.nextSibling,t){for(this._$AP?.(!1,!0,t);e!==this._$AB;){let s=Bt(e).nextSibling;Bt(e).remove(),e=s}}setConnected(e){this._$AM===void 0&&(this._$Cv=e,this._$AP?.(e))}},F=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(e,t,s,i,n){this.type=1,this._$AH=c,this._$AN=void 0,this.element=e,this.name=t,this._$AM=i,this.options=n,s.length>2||s[0]!==""||s[1]!==""?(this._$AH=Array(s.length-1).fill(new String),this.strings=s):this._$AH=c}_$AI(e,t=this,s,i){let n=this.strings,l=!1;if(n===void 0)e=D(this,e,t,0),l=!q(e)||e!==this._$AH&&e!==L,l&&(this._$AH=e);else{let h=e,d,u;for(e=n[0],d=0;d<n.length-1;d++)u=D(this,h[s+d],t,d),u===L&&(u=this._$AH[d]),l||=!q(u)||u!==this._$AH[d],u===c?e=c:e!==c&&(e+=(u??"")+n[d+1]),this._$AH[d]=u}l&&!i&&this.j(e)}j(e){e===c?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,e??"")}},ct=class extends F{constructor(){super(...arguments),this.type=3}j(e){this.element[this.name]=e===c?void 0:e}},ht=class extends F{constructor(){super(...arguments),this.type=4}j(e){this.element.toggleAttribute(this.name,!!e&&e!==c)}},pt=class extends F{constructor(e,t,s,i,n){super(e,t,s,i,n),this.type=5}_$AI(e,t=this){if((e=D(this,e,t,0)??c)===L)return;let s=this._$AH,i=e===c&&s!==c||e.capture!==s.capture||e.once!==s.once||e.passive!==s.passive,n=e!==c&&(s===c||i);i&&this.element.removeEventListener(this.name,this,s),n&&this.element.addEventListener(this.name,this,e),this._$AH=e}handleEvent(e){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,e):this._$AH.handleEvent(e)}},ut=class{constructor(e,t,s){this.element=e,this.type=6,this._$AN=void 0,this._$AM=t,this.options=s}get _$AU(){return this._$AM._$AU}_$AI(e){D(this,e)}};var Se=mt.litHtmlPolyfillSupport;Se?.(Z,V),(mt.litHtmlVersions??=[]).push("3.3.3");var te=(a,e,t)=>{let s=t?.renderBefore??e,i=s._$litPart$;if(i===void 0){let n=t?.renderBefore??null;s._$litPart$=i=new V(e.insertBefore(K(),n),n,void 0,t??{})}return i._$AI(a),i};var ft=globalThis,g=class extends E{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let e=super.createRenderRoot();return this.renderOptions.renderBefore??=e.firstChild,e}update(e){let t=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(e),this._$Do=te(t,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return L}};g._$litElement$=!0,g.finalized=!0,ft.litElementHydrateSupport?.({LitElement:g});var Ae=ft.litElementPolyfillSupport;Ae?.({LitElement:g});(ft.litElementVersions??=[]).push("4.2.2");function z(a){return a.locale?.language??a.language??navigator.language}function A(a,e){return e==null?"—":new Intl.NumberFormat(z(a),{minimumFractionDigits:2,maximumFractionDigits:2}).format(e/1e3)}function O(a,e){return e==null?"—":`${new Intl.NumberFormat(z(a),{maximumFractionDigits:1}).format(e/1e3)} kW`}function ee(a,e,t,s,i){if(e===null)return"—";try{return new Intl.NumberFormat(z(a),{style:"currency",currency:t||"EUR",...s}).format(e)}catch{return`${e.toFixed(i)} ${t??""}`.trim()}}function v(a,e,t){return ee(a,e,t,{},2)}function $t(a,e,t){return ee(a,e,t,{minimumFractionDigits:2,maximumFractionDigits:4},4)}function bt(a){return a.config?.time_zone||void 0}function x(a,e){return e?new Intl.DateTimeFormat(z(a),{dateStyle:"short",timeStyle:"short",timeZone:bt(a)}).format(new Date(e)):"—"}function yt(a,e){return new Intl.DateTimeFormat(z(a),{timeStyle:"short",timeZone:bt(a)}).format(new Date(e))}function T(a){if(a==null)return"—";let e=Math.max(0,Math.round(a/60)),t=Math.floor(e/60),s=e%60;return`${t}:${String(s).padStart(2,"0")} h`}function vt(a,e=new Date){let t=new Intl.DateTimeFormat("en-CA",{timeZone:bt(a),year:"numeric",month:"2-digit",day:"2-digit"}).formatToParts(e),s=i=>t.find(n=>n.type===i)?.value??"";return`${s("year")}-${s("month")}-${s("day")}`}function ke(a,e){let t=new Date(`${a}T00:00:00Z`);return t.setUTCDate(t.getUTCDate()+e),t.toISOString().slice(0,10)}function xt(a,e=0){let t=new Date(`${a.slice(0,7)}-01T00:00:00Z`);return t.setUTCMonth(t.getUTCMonth()+e),t.toISOString().slice(0,10)}function X(a){return`${a}T00:00:00`}function se(a){return X(ke(a,1))}function _(a){return a&&typeof a=="object"&&"message"in a?String(a.message):String(a)}var b=f`
  :host {
    display: block;
    color: var(--primary-text-color);
    font-family: var(--ha-font-family-body, var(--paper-font-body1_-_font-family, sans-serif));
  }
  .card {
    background: var(--ha-card-background, var(--card-background-color, #fff));
    border-radius: var(--ha-card-border-radius, 12px);
    border: 1px solid var(--divider-color, #e0e0e0);
    padding: 16px;
    box-sizing: border-box;
  }
  h2 {
    font-size: 1.1em;
    margin: 0 0 12px;
    font-weight: 500;
  }
  button {
    font: inherit;
    color: var(--text-primary-color, #fff);
    background: var(--primary-color);
    border: none;
    border-radius: 6px;
    padding: 8px 12px;
    cursor: pointer;
    min-height: 36px;
  }
  button.secondary {
    color: var(--primary-color);
    background: transparent;
    border: 1px solid var(--primary-color);
  }
  button.danger {
    background: var(--error-color, #db4437);
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  input,
  select {
    font: inherit;
    color: var(--primary-text-color);
    background: var(--input-fill-color, var(--secondary-background-color, #f5f5f5));
    border: 1px solid var(--divider-color, #ccc);
    border-radius: 6px;
    padding: 6px 8px;
    min-height: 36px;
    box-sizing: border-box;
    max-width: 100%;
  }
  label {
    display: flex;
    flex-direction: column;
    gap: 4px;
    font-size: 0.85em;
    color: var(--secondary-text-color);
  }
  .filters {
    display: flex;
    flex-wrap: wrap;
    gap: 8px 12px;
    align-items: flex-end;
    margin-bottom: 12px;
  }
  .table-wrap {
    overflow-x: auto;
  }
  table {
    border-collapse: collapse;
    width: 100%;
    font-size: 0.9em;
  }
  th,
  td {
    text-align: left;
    padding: 8px 6px;
    border-bottom: 1px solid var(--divider-color, #e0e0e0);
    white-space: nowrap;
  }
  th button.sort {
    background: none;
    color: inherit;
    padding: 0;
    min-height: 0;
    font-weight: 600;
  }
  td.num,
  th.num {
    text-align: right;
  }
  tr.row {
    cursor: pointer;
  }
  tr.row:hover {
    background: var(--secondary-background-color, #f5f5f5);
  }
  .error {
    color: var(--error-color, #db4437);
    margin: 8px 0;
  }
  .muted {
    color: var(--secondary-text-color);
  }
  .actions {
    display: flex;
    gap: 8px;
    flex-wrap: wrap;
    align-items: center;
  }
`;var et={title:"Charging",tab_now:"Now",tab_sessions:"Sessions",tab_reports:"Reports",tab_cards:"Cards",menu:"Menu",loading:"Loading …",error:"Something went wrong: {message}",err_unauthorized:"You are not allowed to do this.",err_invalid_tag:"This is not a card id: 4 to 40 letters A–Z or digits (':', '-', '.' and spaces are ignored).",err_duplicate_tag:"This card is already known.",err_not_found:"Not found; it may have been removed meanwhile.",now_empty:"No wallbox is set up yet.",now_unavailable:"Not reachable",now_power:"Power",now_energy:"Session energy",now_cost:"Cost",now_duration:"Duration",now_time_to_full:"Time to full",now_who:"Charging",now_nobody:"—",now_no_session:"No session",now_enabled:"Charging allowed",now_current:"Current",now_set:"Set",now_start:"Allow charging",now_stop:"Stop charging",status_idle:"No vehicle",status_connected:"Connected",status_waiting_for_authorization:"Waiting for a card",status_charging:"Charging",status_suspended_ev:"Paused by the vehicle",status_suspended_charger:"Paused by the wallbox",status_finished:"Finished",status_error:"Error",status_unknown:"Unknown",filter_wallbox:"Wallbox",filter_tag:"Card",filter_person:"Person",filter_from:"From",filter_to:"To",filter_all:"All",col_start:"Start",col_end:"End",col_wallbox:"Wallbox",col_tag:"Card",col_energy:"Energy (kWh)",col_cost:"Cost",col_charging:"Charging time",col_sessions:"Sessions",col_month:"Month",sessions_empty:"No session matches.",sessions_range:"{from}–{to} of {total}",previous:"Previous",next:"Next",download_csv:"Download CSV",download_xlsx:"Download XLSX",download_pdf:"Download PDF",statement_title:"Monthly statement",statement_month:"Month",statement_of:"Statement of",statement_of_card:"a card",statement_of_person:"a person",statement_hint_person:"The PDF lists every session of all the person's cards in that month, each with its card, meter readings, price and cost, with a total per card and in all, and is kept in the configuration folder (ev_session_monitor/statements) like a card's statement.",statement_hint:"The PDF lists every session of the card in that month with its meter readings, price and cost, and is kept in the configuration folder (ev_session_monitor/statements). Asked again with the same figures, it is the same statement; after a correction, a new one says which it replaces.",util_title:"Utilization",util_site:"All wallboxes",util_show:"Heat map and months of",util_per_day:"Sessions per day",util_plugged:"Plugged in (h)",util_charging:"Charging (h)",util_blocking:"Blocking (h)",util_revenue:"Revenue",util_peak:"Peak power (site)",util_heatmap:"Occupancy by hour of the week",util_heatmap_hint:"Darker: a car was plugged in for more of that hour, per wallbox, in Home Assistant's time zone.",detail_note:"Note",detail_meter:"Meter reading (kWh)",detail_price:"Price per kWh",detail_parts:"Energy per price",detail_parts_time:"From–to",detail_trail:"Changes",detail_trail_empty:"Never changed.",detail_trail_item:"{when}, {who}: {field} {before} → {after}",detail_trail_tag:"card",detail_trail_note:"note",detail_trail_automation:"an automation",detail_correct:"Correct this session",detail_save:"Save the correction",detail_title:"Session {id}",detail_energy_source:"Energy source",detail_gaps:"Polling gaps",detail_unpriced:"Energy without a price",detail_unseen:"Time no counter could measure",detail_estimated_end:"End estimated between {from} and {to}",detail_end_measured:"End measured",detail_avg_power:"Average power",detail_peak_power:"Peak power",detail_close:"Close",source_meter:"Lifetime meter",source_session_counter:"Session counter of the box",source_power:"Power × time (no counter)",source_mixed:"Mixed",reports_by_tag:"Per card and month",reports_by_wallbox:"Per wallbox and month",reports_chart:"Monthly energy and cost per card",reports_energy:"Energy",reports_cost:"Cost",reports_empty:"No session in this period.",untagged:"Without card",cards_known:"Known cards",cards_attempts:"Unknown cards presented",cards_id:"Card id",cards_name:"Name",cards_price:"Price per kWh",cards_price_field:"Price ({currency}/kWh)",cards_wallboxes:"Allowed wallboxes (none: all)",cards_person:"Person",cards_person_hint:"The person the card belongs to. Their Home Assistant user (if not an administrator) sees this card's sessions, reports and statements, and no other card's.",cards_none:"No person",cards_priority:"Priority at a site",cards_priority_hint:"0 to 10. Under site load management the wallbox this card charges at counts with the higher of its own priority and this one: when there is not enough current for every car, a higher priority keeps charging.",cards_add:"Add card",cards_save:"Save",cards_edit:"Change",cards_remove:"Remove",cards_block:"Block",cards_unblock:"Unblock",cards_blocked:"Blocked",cards_confirm_block:"Block the card {name}? Every wallbox refuses it until it is unblocked; its sessions stay.",cards_cancel:"Cancel",cards_confirm_remove:"Remove the card {name}? Its past sessions keep their name.",cards_empty:"No card is known yet.",cards_attempts_empty:"No unknown card was presented.",cards_time:"Time",cards_admit:"Admit this card",cards_admitted:"Admitted",cards_pseudonym:"Hidden id (privacy option): present the card again with the option off to admit it",cards_attempt_count:"Attempts in window",cards_admin_only:"Only administrators can see and change the cards.",all_wallboxes:"All wallboxes",site_title:"Site {site}",site_main_circuit:"Main fuse",site_limit:"{limit} per phase",site_under:"under {parent}",site_house:"House",site_headroom:"Headroom",site_margin:"Margin",site_headroom_short:"{amps} free",site_phase_summary:"L{phase}: house {house}, wallboxes {wallboxes}, headroom {headroom} of {limit}",site_meter_silent:"The grid meter is silent: the wallboxes share the safe share until it reports again.",site_share:"{amps} on {phases}",site_no_current:"0 A",site_reason_idle:"No car",site_reason_minimum:"Minimum",site_reason_fair_share:"Fair share",site_reason_limited_by_car:"Limited by the car",site_reason_limited_by_box:"At the wallbox's maximum",site_reason_limited_by_circuit:"Circuit full: {circuit}",site_reason_held:"Held by the wallbox's lock or switch",site_reason_paused_for_priority:"Paused for priority",site_reason_paused_no_headroom:"Paused: no headroom",site_reason_not_responding:"Not responding",site_reason_unknown:"Waiting for the first tick"};function r(a,e={}){return et[a].replace(/\{(\w+)\}/g,(t,s)=>s in e?String(e[s]):t)}function I(a,e){return a in et?et[a]:e}var re=["var(--primary-color)","var(--accent-color, #ff9800)","var(--info-color, #039be5)","var(--success-color, #43a047)","var(--warning-color, #ffa600)","var(--error-color, #db4437)"],wt=class extends g{static{this.properties={hass:{attribute:!1},site:{attribute:!1}}}amps(e){return e===null?"—":`${new Intl.NumberFormat(z(this.hass),{maximumFractionDigits:1}).format(e)} A`}colour(e){let t=this.site.wallboxes.findIndex(s=>s.entry_id===e);return re[Math.max(0,t)%re.length]}boxTitle(e){return this.site.wallboxes.find(t=>t.entry_id===e)?.title??e}circuitName(e){return e.name??r("site_main_circuit")}bar(e,t){let s=h=>`${Math.max(0,h/e.limit_a*100)}%`,i=Math.max(0,t.headroom_a),n=t.headroom_a<0,l=r("site_phase_summary",{phase:t.phase,house:this.amps(t.house_a),wallboxes:this.amps(t.wallboxes_a),headroom:this.amps(t.headroom_a),limit:this.amps(e.limit_a)});return o`<div class="phase" data-phase=${t.phase} data-headroom=${t.headroom_a}>
      <span class="label">L${t.phase}</span>
      <div class="bar ${n?"over":""}" role="img" aria-label=${l} title=${l}>
        ${t.house_a>0?o`<span
              class="seg house"
              data-amps=${t.house_a}
              style="width:${s(t.house_a)}"
              title=${`${r("site_house")}: ${this.amps(t.house_a)}`}
              >${this.amps(t.house_a)}</span
            >`:c}
        ${t.shares.map(h=>o`<span
              class="seg box"
              data-box=${h.entry_id}
              data-amps=${h.current_a}
              style="width:${s(h.current_a)};background:${this.colour(h.entry_id)}"
              title=${`${this.boxTitle(h.entry_id)}: ${this.amps(h.current_a)}`}
              >${this.amps(h.current_a)}</span
            >`)}
        ${i>0?o`<span
              class="seg free"
              data-amps=${i}
              style="width:${s(i)}"
              title=${`${r("site_headroom")}: ${this.amps(i)}`}
              >${this.amps(i)}</span
            >`:c}
        ${e.margin_a>0?o`<span
              class="seg margin"
              style="width:${s(e.margin_a)}"
              title=${`${r("site_margin")}: ${this.amps(e.margin_a)}`}
            ></span>`:c}
      </div>
      <span class="headroom ${n?"negative":""}"
        >${r("site_headroom_short",{amps:this.amps(t.headroom_a)})}</span
      >
    </div>`}depth(e){let t=0,s=e.parent;for(;s!==null&&t<this.site.circuits.length;)t+=1,s=this.site.circuits.find(i=>i.circuit_id===s)?.parent??null;return t}circuit(e){let t=this.site.circuits.find(s=>s.circuit_id===e.parent);return o`<div
      class="circuit"
      data-circuit=${e.circuit_id}
      style="margin-left:${this.depth(e)*16}px"
    >
      <h3>
        ${this.circuitName(e)}
        <span class="muted"
          >${r("site_limit",{limit:this.amps(e.limit_a)})}${t?` · ${r("site_under",{parent:this.circuitName(t)})}`:""}</span
        >
      </h3>
      ${e.stale?o`<p class="warning">${r("site_meter_silent")}</p>`:c}
      ${e.phases.map(s=>this.bar(e,s))}
    </div>`}reasonText(e,t){if(t==="limited_by_circuit"){let s=this.site.circuits.find(i=>i.circuit_id===e.limited_by);return r("site_reason_limited_by_circuit",{circuit:s?this.circuitName(s):e.limited_by??"—"})}return I(`site_reason_${t}`,t)}allocation(e){let t=e.reason??"unknown",s=e.current_a===null?"—":e.current_a>0?r("site_share",{amps:this.amps(e.current_a),phases:e.grid_phases.map(i=>`L${i}`).join(" ")}):r("site_no_current");return o`<li class="allocation" data-box=${e.entry_id} data-reason=${t}>
      <span class="swatch" style="background:${this.colour(e.entry_id)}"></span>
      <span class="name">${e.title}</span>
      <span class="amps">${s}</span>
      <span class="reason reason-${t}">${this.reasonText(e,t)}</span>
    </li>`}render(){let e=this.site;return o`<section class="card site" data-site=${e.entry_id}>
      <h2>${r("site_title",{site:e.title})}</h2>
      ${e.circuits.map(t=>this.circuit(t))}
      <div class="legend">
        <span><i class="seg house"></i>${r("site_house")}</span>
        <span><i class="seg free"></i>${r("site_headroom")}</span>
        <span><i class="seg margin"></i>${r("site_margin")}</span>
      </div>
      <ul class="allocations">
        ${e.wallboxes.map(t=>this.allocation(t))}
      </ul>
    </section>`}static{this.styles=[b,f`
      .site {
        margin-bottom: 16px;
      }
      h3 {
        font-size: 1em;
        font-weight: 500;
        margin: 12px 0 6px;
        display: flex;
        gap: 8px;
        align-items: baseline;
        flex-wrap: wrap;
      }
      .muted {
        color: var(--secondary-text-color);
        font-size: 0.85em;
        font-weight: normal;
      }
      .warning {
        color: var(--warning-color, #ffa600);
        margin: 4px 0;
      }
      .phase {
        display: grid;
        grid-template-columns: 2em 1fr 7em;
        gap: 8px;
        align-items: center;
        margin: 4px 0;
      }
      .label,
      .headroom {
        font-variant-numeric: tabular-nums;
        color: var(--secondary-text-color);
        font-size: 0.9em;
      }
      .headroom {
        text-align: right;
      }
      .headroom.negative {
        color: var(--error-color, #db4437);
      }
      .bar {
        display: flex;
        height: 24px;
        border-radius: 6px;
        overflow: hidden;
        border: 1px solid var(--divider-color, #e0e0e0);
        background: var(--secondary-background-color, #f5f5f5);
      }
      .bar.over {
        border-color: var(--error-color, #db4437);
      }
      .seg {
        display: inline-flex;
        align-items: center;
        justify-content: center;
        overflow: hidden;
        white-space: nowrap;
        font-size: 0.75em;
        color: var(--text-primary-color, #fff);
        box-sizing: border-box;
        border-right: 1px solid var(--card-background-color, #fff);
        transition: width 0.4s ease;
      }
      .seg.house {
        background: var(--secondary-text-color, #727272);
      }
      .seg.free {
        background: transparent;
        color: var(--secondary-text-color);
      }
      .seg.margin {
        background: repeating-linear-gradient(
          45deg,
          var(--divider-color, #ccc) 0 4px,
          transparent 4px 8px
        );
        border-right: none;
      }
      .legend {
        display: flex;
        flex-wrap: wrap;
        gap: 12px;
        font-size: 0.8em;
        color: var(--secondary-text-color);
        margin: 8px 0;
      }
      .legend i {
        display: inline-block;
        width: 12px;
        height: 12px;
        margin-right: 4px;
        vertical-align: middle;
        border: 1px solid var(--divider-color, #e0e0e0);
      }
      .legend i.free {
        background: var(--secondary-background-color, #f5f5f5);
      }
      .allocations {
        list-style: none;
        padding: 0;
        margin: 8px 0 0;
        display: grid;
        gap: 6px;
      }
      .allocation {
        display: grid;
        grid-template-columns: 12px minmax(6em, 1fr) auto auto;
        gap: 8px;
        align-items: center;
      }
      .swatch {
        width: 12px;
        height: 12px;
        border-radius: 3px;
      }
      .amps {
        font-variant-numeric: tabular-nums;
        text-align: right;
      }
      .reason {
        font-size: 0.85em;
        padding: 2px 8px;
        border-radius: 10px;
        background: var(--secondary-background-color, #eee);
        text-align: center;
      }
      .reason-paused_for_priority,
      .reason-paused_no_headroom,
      .reason-not_responding {
        background: var(--warning-color, #ffa600);
        color: var(--text-primary-color, #fff);
      }
    `]}};customElements.define("ev-site-section",wt);var St=class extends g{static{this.properties={hass:{attribute:!1},admin:{type:Boolean},tiles:{state:!0},sites:{state:!0},error:{state:!0},denied:{state:!0}}}connectedCallback(){super.connectedCallback(),this.unsubscribe=this.hass.connection.subscribeMessage(e=>{this.tiles=e.wallboxes},{type:"ev_session_monitor/wallboxes/subscribe"}),this.unsubscribe.catch(e=>this.error=_(e)),this.unsubscribeSites=this.hass.connection.subscribeMessage(e=>{this.sites=e.sites},{type:"ev_session_monitor/sites/subscribe"}),this.unsubscribeSites.catch(e=>this.error=_(e)),this.hass.callWS({type:"ev_session_monitor/permissions"}).then(e=>this.denied=new Set(e.controls_denied_entities??[])).catch(()=>this.denied=new Set)}disconnectedCallback(){super.disconnectedCallback(),this.unsubscribe?.then(e=>e()).catch(()=>{}),this.unsubscribe=void 0,this.unsubscribeSites?.then(e=>e()).catch(()=>{}),this.unsubscribeSites=void 0}async control(e,t){this.error=void 0;try{await this.hass.callWS({type:"ev_session_monitor/wallboxes/control",entry_id:e.entry_id,...t})}catch(s){this.error=_(s)}}controls(e){let t=i=>i&&!this.denied?.has(i.entity_id)?i:null,s={...e,enable:t(e.enable),current:t(e.current)};return!this.admin||!s.enable&&!s.current?c:o`<div class="controls">
      ${s.enable?o`<button
            class=${s.enable.on===!1?"":"secondary"}
            @click=${()=>this.control(s,{enabled:s.enable?.on===!1})}
          >
            ${s.enable.on===!1?r("now_start"):r("now_stop")}
          </button>`:c}
      ${s.current?o`<label class="current"
            >${r("now_current")} (${s.current.min}–${s.current.max} A)
            <span class="actions">
              <input
                type="number"
                min=${s.current.min}
                max=${s.current.max}
                step="1"
                .value=${String(s.current.value??s.current.max)}
                @change=${i=>this.control(s,{current_a:Number(i.target.value)})}
              />
              A
            </span>
          </label>`:c}
    </div>`}tile(e){let t=e.session,s=e.available?I(`status_${e.status??"unknown"}`,e.status??r("status_unknown")):r("now_unavailable");return o`<section class="card tile" data-entry=${e.entry_id}>
      <div class="head">
        <h2>${e.title}</h2>
        <span class="status status-${e.status??"unknown"}">${s}</span>
      </div>
      <dl>
        <dt>${r("now_power")}</dt>
        <dd class="power">${O(this.hass,e.power_w)}</dd>
        <dt>${r("now_who")}</dt>
        <dd class="who">${e.who??r("now_nobody")}</dd>
        <dt>${r("now_energy")}</dt>
        <dd>${t?`${A(this.hass,t.energy_wh)} kWh`:r("now_no_session")}</dd>
        <dt>${r("now_cost")}</dt>
        <dd>${t?v(this.hass,t.cost,t.currency):"—"}</dd>
        <dt>${r("now_duration")}</dt>
        <dd title=${t?x(this.hass,t.started_at):""}>
          ${t?T(t.duration_s):"—"}
        </dd>
        <dt>${r("now_time_to_full")}</dt>
        <dd>${T(e.time_to_full_s)}</dd>
      </dl>
      ${this.controls(e)}
    </section>`}render(){return this.error?o`<p class="error">${r("error",{message:this.error})}</p>`:this.tiles?this.tiles.length?o`${(this.sites??[]).map(e=>o`<ev-site-section .hass=${this.hass} .site=${e}></ev-site-section>`)}
      <div class="grid">${this.tiles.map(e=>this.tile(e))}</div>`:o`<p class="muted">${r("now_empty")}</p>`:o`<p class="muted">${r("loading")}</p>`}static{this.styles=[b,f`
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(280px, 1fr));
        gap: 16px;
      }
      .head {
        display: flex;
        justify-content: space-between;
        align-items: baseline;
        gap: 8px;
      }
      .status {
        font-size: 0.85em;
        padding: 2px 8px;
        border-radius: 10px;
        background: var(--secondary-background-color, #eee);
      }
      .status-charging {
        background: var(--success-color, #43a047);
        color: var(--text-primary-color, #fff);
      }
      dl {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 6px 12px;
        margin: 8px 0 12px;
      }
      dt {
        color: var(--secondary-text-color);
      }
      dd {
        margin: 0;
        text-align: right;
        font-variant-numeric: tabular-nums;
      }
      .controls {
        display: flex;
        flex-wrap: wrap;
        gap: 12px;
        align-items: flex-end;
        justify-content: space-between;
      }
      .current input {
        width: 80px;
      }
    `]}};customElements.define("ev-now-view",St);function st(a){let e=new URLSearchParams;for(let t of a.config_entry_id??[])e.append("config_entry_id",t);for(let t of a.tag_id??[])e.append("tag_id",t);return a.person&&e.set("person",a.person),a.start&&e.set("start",a.start),a.end&&e.set("end",a.end),e}function rt(a,e,t,s){let i=new URLSearchParams(t);return i.set("format",s),At(a,`download/${e}`,i,`ev-${e}.${s}`)}function ie(a,e,t){let s=new URLSearchParams({format:t});return e.start&&s.set("start",e.start),e.end&&s.set("end",e.end),At(a,"download/utilization",s,`ev-utilization.${t}`)}function ae(a,e,t){let s=new URLSearchParams({...e,month:t}),i="tag_id"in e?e.tag_id:e.person.replace("person.","person-");return At(a,"statement",s,`statement-${i}-${t}.pdf`)}async function At(a,e,t,s){let i=await fetch(`/api/ev_session_monitor/${e}?${t}`,{headers:{Authorization:`Bearer ${a.auth.data.access_token}`}});if(!i.ok){let u=await i.json().catch(()=>({message:i.statusText}));throw new Error(u.message??i.statusText)}let n=i.headers.get("Content-Disposition")??"",l=/filename="([^"]+)"/.exec(n)?.[1]??s,h=URL.createObjectURL(await i.blob()),d=document.createElement("a");d.href=h,d.download=l,document.body.append(d),d.click(),d.remove(),setTimeout(()=>URL.revokeObjectURL(h),1e4)}var kt=class extends g{constructor(){super();this.wallbox="";this.tag="";this.person="";this.from="",this.to=""}static{this.properties={info:{attribute:!1},from:{type:String},to:{type:String}}}get filters(){let t={};return this.wallbox&&(t.config_entry_id=[this.wallbox]),this.tag&&(t.tag_id=[this.tag]),this.person&&(t.person=this.person),this.from&&(t.start=X(this.from)),this.to&&(t.end=se(this.to)),t}changed(t,s){this[t]=s.target.value,this.dispatchEvent(new CustomEvent("filters-changed",{detail:this.filters}))}render(){let t=this.info;return o`<div class="filters">
      <label
        >${r("filter_wallbox")}
        <select name="wallbox" @change=${s=>this.changed("wallbox",s)}>
          <option value="">${r("filter_all")}</option>
          ${t.wallboxes.map(s=>o`<option value=${s.entry_id}>${s.title}</option>`)}
        </select>
      </label>
      <label
        >${r("filter_tag")}
        <select name="tag" @change=${s=>this.changed("tag",s)}>
          <option value="">${r("filter_all")}</option>
          ${t.tags.map(s=>o`<option value=${s.tag_id}>${s.name}</option>`)}
        </select>
      </label>
      ${t.admin&&t.persons.length?o`<label
            >${r("filter_person")}
            <select name="person" @change=${s=>this.changed("person",s)}>
              <option value="">${r("filter_all")}</option>
              ${t.persons.map(s=>o`<option value=${s.entity_id}>${s.name}</option>`)}
            </select>
          </label>`:c}
      <label
        >${r("filter_from")}
        <input
          type="date"
          name="from"
          .value=${this.from}
          @change=${s=>this.changed("from",s)}
        />
      </label>
      <label
        >${r("filter_to")}
        <input type="date" name="to" .value=${this.to} @change=${s=>this.changed("to",s)} />
      </label>
      <slot></slot>
    </div>`}static{this.styles=[b]}};customElements.define("ev-filter-bar",kt);var Et=50,Tt=class extends g{constructor(){super();this.filters={};this.request=0;this.total=0,this.offset=0,this.sort="started_at",this.descending=!0}static{this.properties={hass:{attribute:!1},info:{attribute:!1},sessions:{state:!0},total:{state:!0},offset:{state:!0},sort:{state:!0},descending:{state:!0},selected:{state:!0},trail:{state:!0},detailError:{state:!0},error:{state:!0}}}connectedCallback(){super.connectedCallback(),this.load()}async load(){let t=++this.request;this.error=void 0;try{let s=await this.hass.callWS({type:"ev_session_monitor/sessions",...this.filters,offset:this.offset,limit:Et,sort:this.sort,descending:this.descending});if(t!==this.request)return;this.sessions=s.sessions,this.total=s.total}catch(s){this.error=_(s)}}filtersChanged(t){this.filters=t.detail,this.offset=0,this.load()}sortBy(t){this.descending=this.sort===t?!this.descending:t==="started_at",this.sort=t,this.offset=0,this.load()}page(t){this.offset=Math.max(0,this.offset+t*Et),this.load()}async download(t){let s=st(this.filters);s.set("sort",this.sort),s.set("descending",String(this.descending));try{await rt(this.hass,"sessions",s,t)}catch(i){this.error=_(i)}}async open(t){this.selected=t,this.trail=void 0,this.detailError=void 0;try{let s=await this.hass.callWS({type:"ev_session_monitor/sessions/corrections",session_id:t.session_id});this.selected===t&&(this.trail=s.corrections)}catch(s){this.detailError=_(s)}}async correct(t){t.preventDefault();let s=this.selected;if(!s)return;let i=t.target,n=i.elements.namedItem("correct_tag").value,l=i.elements.namedItem("correct_note").value,h={};if(n&&n!==s.tag_id&&(h.tag_id=n),l!==(s.note??"")&&(h.note=l),!!Object.keys(h).length)try{let d=await this.hass.callWS({type:"ev_session_monitor/sessions/correct",session_id:s.session_id,...h});this.selected=d.session,this.trail=d.corrections,this.detailError=void 0,this.load()}catch(d){this.detailError=_(d)}}trailList(){return this.trail===void 0?o`<p class="muted">${r("loading")}</p>`:this.trail.length?o`<ul class="trail">
      ${this.trail.map(t=>o`<li>
          ${r("detail_trail_item",{when:x(this.hass,t.changed_at),who:t.user_name??r("detail_trail_automation"),field:r(t.field==="tag"?"detail_trail_tag":"detail_trail_note"),before:t.before??"—",after:t.after??"—"})}
        </li>`)}
    </ul>`:o`<p class="muted">${r("detail_trail_empty")}</p>`}correctionForm(t){let s=this.info.tags.some(i=>i.tag_id===t.tag_id);return o`<form class="correct" @submit=${this.correct}>
      <h3>${r("detail_correct")}</h3>
      <label
        >${r("col_tag")}
        <select name="correct_tag">
          ${s?c:o`<option value="" selected>${t.tag_name??t.tag_id??r("untagged")}</option>`}
          ${this.info.tags.map(i=>o`<option value=${i.tag_id} ?selected=${i.tag_id===t.tag_id}>${i.name}</option>`)}
        </select>
      </label>
      <label
        >${r("detail_note")}
        <textarea name="correct_note" maxlength="500" .value=${t.note??""}></textarea>
      </label>
      <button type="submit" class="save-correction">${r("detail_save")}</button>
    </form>`}closeDetail(){this.selected=void 0,this.trail=void 0}header(t,s,i=!1){let n=this.sort===t?this.descending?" ▼":" ▲":"";return o`<th class=${i?"num":""}>
      <button class="sort" data-sort=${t} @click=${()=>this.sortBy(t)}>
        ${r(s)}${n}
      </button>
    </th>`}priceParts(t){let s=t.price_parts??[];return s.length<2?c:o`<h3>${r("detail_parts")}</h3>
      <table class="parts">
        <thead>
          <tr>
            <th>${r("detail_parts_time")}</th>
            <th class="num">${r("col_energy")}</th>
            <th class="num">${r("detail_price")}</th>
            <th class="num">${r("col_cost")}</th>
          </tr>
        </thead>
        <tbody>
          ${s.map((i,n)=>{let l=s[n+1]?.started_at??t.ended_at,h=i.price_per_kwh;return o`<tr>
              <td>${yt(this.hass,i.started_at)}–${yt(this.hass,l)}</td>
              <td class="num">${A(this.hass,i.energy_wh)}</td>
              <td class="num">${$t(this.hass,h,t.currency)}</td>
              <td class="num">
                ${v(this.hass,h===null?null:i.energy_wh/1e3*h,t.currency)}
              </td>
            </tr>`})}
        </tbody>
      </table>`}detail(t){let s=t.end_latest?r("detail_estimated_end",{from:x(this.hass,t.ended_at),to:x(this.hass,t.end_latest)}):r("detail_end_measured"),i=n=>n===null?"—":A(this.hass,n);return o`<div class="overlay" @click=${this.closeDetail}>
      <section class="card detail" @click=${n=>n.stopPropagation()}>
        <h2>${r("detail_title",{id:t.session_id.slice(0,8)})}</h2>
        <dl>
          <dt>${r("col_wallbox")}</dt>
          <dd>${t.charger_name}</dd>
          <dt>${r("col_tag")}</dt>
          <dd>${t.tag_name??t.tag_id??r("untagged")}</dd>
          <dt>${r("col_start")}</dt>
          <dd>${x(this.hass,t.started_at)}</dd>
          <dt>${r("col_end")}</dt>
          <dd>${x(this.hass,t.ended_at)}</dd>
          <dt></dt>
          <dd class="estimated">${s}</dd>
          <dt>${r("col_energy")}</dt>
          <dd>${A(this.hass,t.energy_wh)}</dd>
          <dt>${r("col_cost")}</dt>
          <dd>${v(this.hass,t.cost,t.currency)}</dd>
          <dt>${r("col_charging")}</dt>
          <dd>${T(t.charging_s)}</dd>
          <dt>${r("detail_avg_power")}</dt>
          <dd>${O(this.hass,t.avg_power_w)}</dd>
          <dt>${r("detail_peak_power")}</dt>
          <dd>${O(this.hass,t.peak_power_w)}</dd>
          <dt>${r("detail_energy_source")}</dt>
          <dd class="source">
            ${I(`source_${t.energy_source}`,t.energy_source)}
          </dd>
          <dt>${r("detail_gaps")}</dt>
          <dd class="gaps">${t.gaps}</dd>
          <dt>${r("detail_unpriced")}</dt>
          <dd class="unpriced">${A(this.hass,t.unpriced_wh)}</dd>
          <dt>${r("detail_unseen")}</dt>
          <dd class="unseen">${T(t.unseen_s)}</dd>
          <dt>${r("detail_meter")}</dt>
          <dd class="meter">${i(t.meter_start_wh)} → ${i(t.meter_end_wh)}</dd>
          <dt>${r("detail_price")}</dt>
          <dd class="price">${$t(this.hass,t.price_per_kwh,t.currency)}</dd>
          <dt>${r("detail_note")}</dt>
          <dd class="note">${t.note??"—"}</dd>
        </dl>
        ${this.priceParts(t)}
        <h3>${r("detail_trail")}</h3>
        ${this.trailList()}
        ${this.detailError?o`<p class="error">${this.detailError}</p>`:c}
        ${this.info.admin?this.correctionForm(t):c}
        <button class="close" @click=${this.closeDetail}>${r("detail_close")}</button>
      </section>
    </div>`}render(){let t=this.sessions,s=Math.min(this.offset+Et,this.total);return o`
      <ev-filter-bar .info=${this.info} @filters-changed=${this.filtersChanged}>
        <button class="secondary download" @click=${()=>this.download("csv")}>
          ${r("download_csv")}
        </button>
        <button class="secondary download-xlsx" @click=${()=>this.download("xlsx")}>
          ${r("download_xlsx")}
        </button>
      </ev-filter-bar>
      ${this.error?o`<p class="error">${r("error",{message:this.error})}</p>`:c}
      ${t===void 0?o`<p class="muted">${r("loading")}</p>`:o`<div class="card table-wrap">
              <table>
                <thead>
                  <tr>
                    ${this.header("started_at","col_start")}
                    ${this.header("charger_name","col_wallbox")} ${this.header("tag_name","col_tag")}
                    ${this.header("energy_wh","col_energy",!0)}
                    ${this.header("cost","col_cost",!0)}
                    ${this.header("charging_s","col_charging",!0)}
                  </tr>
                </thead>
                <tbody>
                  ${t.map(i=>o`<tr class="row" data-id=${i.session_id} @click=${()=>this.open(i)}>
                      <td>${x(this.hass,i.started_at)}</td>
                      <td>${i.charger_name}</td>
                      <td>${i.tag_name??i.tag_id??r("untagged")}</td>
                      <td class="num">${A(this.hass,i.energy_wh)}</td>
                      <td class="num">${v(this.hass,i.cost,i.currency)}</td>
                      <td class="num">${T(i.charging_s)}</td>
                    </tr>`)}
                </tbody>
              </table>
              ${t.length?c:o`<p class="muted">${r("sessions_empty")}</p>`}
            </div>
            <div class="pager actions">
              <button class="secondary" ?disabled=${this.offset===0} @click=${()=>this.page(-1)}>
                ${r("previous")}
              </button>
              <span class="range"
                >${r("sessions_range",{from:this.total?this.offset+1:0,to:s,total:this.total})}</span
              >
              <button class="secondary" ?disabled=${s>=this.total} @click=${()=>this.page(1)}>
                ${r("next")}
              </button>
            </div>`}
      ${this.selected?this.detail(this.selected):c}
    `}static{this.styles=[b,f`
      .pager {
        margin-top: 12px;
        justify-content: center;
      }
      .overlay {
        position: fixed;
        inset: 0;
        background: rgba(0, 0, 0, 0.4);
        display: flex;
        align-items: center;
        justify-content: center;
        z-index: 10;
        padding: 16px;
      }
      .detail {
        max-width: 480px;
        width: 100%;
        max-height: 90vh;
        overflow: auto;
      }
      dl {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 6px 12px;
      }
      dt {
        color: var(--secondary-text-color);
      }
      dd {
        margin: 0;
      }
      .parts {
        width: 100%;
        margin-bottom: 8px;
      }
      .trail {
        padding-left: 18px;
        margin: 4px 0 12px;
      }
      .correct {
        display: grid;
        gap: 8px;
        margin-bottom: 12px;
      }
      .correct label {
        display: grid;
        gap: 4px;
      }
      textarea {
        font: inherit;
        min-height: 3em;
      }
    `]}};customElements.define("ev-sessions-view",Tt);var P=18,Ct=40,Pt=16,Mt=class extends g{constructor(){super();this.request=0;this.shown=""}static{this.properties={hass:{attribute:!1},info:{attribute:!1},filters:{attribute:!1},figures:{state:!0},shown:{state:!0},error:{state:!0}}}willUpdate(t){t.has("filters")&&this.load()}async load(){let t=++this.request;this.error=void 0;try{let s={};this.filters?.start&&(s.start=this.filters.start),this.filters?.end&&(s.end=this.filters.end);let i=await this.hass.callWS({type:"ev_session_monitor/utilization",...s});t===this.request&&(this.figures=i)}catch(s){this.error=_(s)}}async download(t){try{await ie(this.hass,this.filters??{},t)}catch(s){this.error=_(s)}}number(t,s=1){return new Intl.NumberFormat(this.hass.locale?.language??this.hass.language,{maximumFractionDigits:s}).format(t)}weekdays(){let t=new Intl.DateTimeFormat(this.hass.locale?.language??this.hass.language,{weekday:"short",timeZone:"UTC"});return[...Array(7).keys()].map(s=>t.format(Date.UTC(2024,0,1+s)))}heatMap(t){let s=this.weekdays(),i=Ct+24*P,n=Pt+7*P,l=t.occupancy.map((h,d)=>{let u=Math.floor(d/24),m=d%24;return N`<rect class="cell" data-hour=${d} x=${Ct+m*P} y=${Pt+u*P}
        width=${P-2} height=${P-2} rx="2" fill-opacity=${.08+.92*h}>
        <title>${s[u]} ${String(m).padStart(2,"0")}:00 · ${Math.round(h*100)} %</title></rect>`});return o`<figure class="card heat">
      <figcaption>${r("util_heatmap")}</figcaption>
      <svg viewBox="0 0 ${i} ${n}" role="img" aria-label=${r("util_heatmap")}>
        ${[0,6,12,18].map(h=>N`<text class="axis" x=${Ct+h*P} y="11">${h}</text>`)}
        ${s.map((h,d)=>N`<text class="axis" x="0" y=${Pt+d*P+12}>${h}</text>`)}
        ${l}
      </svg>
      <p class="muted">${r("util_heatmap_hint")}</p>
    </figure>`}overview(t){let s=[...t.wallboxes,t.site];return o`<table class="overview">
      <thead>
        <tr>
          <th>${r("col_wallbox")}</th>
          <th class="num">${r("col_sessions")}</th>
          <th class="num">${r("util_per_day")}</th>
          <th class="num">${r("util_plugged")}</th>
          <th class="num">${r("util_charging")}</th>
          <th class="num">${r("util_blocking")}</th>
          <th class="num">${r("col_energy")}</th>
          <th class="num">${r("util_revenue")}</th>
        </tr>
      </thead>
      <tbody>
        ${s.map(i=>o`<tr data-charger=${i.charger_id}>
            <td>${i.charger_id?i.charger_name:r("util_site")}</td>
            <td class="num">${i.sessions}</td>
            <td class="num">${this.number(i.sessions_per_day,2)}</td>
            <td class="num">${this.number(i.plugged_h)}</td>
            <td class="num">${this.number(i.charging_h)}</td>
            <td class="num blocking">${this.number(i.blocking_h)}</td>
            <td class="num">${this.number(i.energy_kwh,2)}</td>
            <td class="num">${v(this.hass,i.revenue,this.info.currency)}</td>
          </tr>`)}
      </tbody>
    </table>`}months(t,s){let i=new Map(t.peaks.map(n=>[n.month,n]));return o`<table class="months">
      <thead>
        <tr>
          <th>${r("col_month")}</th>
          <th class="num">${r("col_sessions")}</th>
          <th class="num">${r("col_energy")}</th>
          <th class="num">${r("util_revenue")}</th>
          <th class="num">${r("util_plugged")}</th>
          <th class="num">${r("util_charging")}</th>
          ${s.charger_id?c:o`<th class="num">${r("util_peak")}</th>`}
        </tr>
      </thead>
      <tbody>
        ${s.months.map(n=>{let l=i.get(n.month);return o`<tr>
            <td>${n.month}</td>
            <td class="num">${n.sessions}</td>
            <td class="num">${this.number(n.energy_kwh,2)}</td>
            <td class="num">${v(this.hass,n.revenue,this.info.currency)}</td>
            <td class="num">${this.number(n.plugged_h)}</td>
            <td class="num">${this.number(n.charging_h)}</td>
            ${s.charger_id?c:o`<td class="num peak">
                  ${l?`${O(this.hass,l.power_w)} · ${x(this.hass,l.at)}`:"—"}
                </td>`}
          </tr>`})}
      </tbody>
    </table>`}render(){let t=this.figures;if(this.error)return o`<p class="error">${r("error",{message:this.error})}</p>`;if(!t)return o`<p class="muted">${r("loading")}</p>`;let s=t.wallboxes.find(i=>i.charger_id===this.shown)??t.site;return o`<section class="card utilization">
      <h2>${r("util_title")}</h2>
      <div class="downloads">
        <button class="secondary util-csv" @click=${()=>this.download("csv")}>
          ${r("download_csv")}
        </button>
        <button class="secondary util-xlsx" @click=${()=>this.download("xlsx")}>
          ${r("download_xlsx")}
        </button>
      </div>
      <div class="table-wrap">${this.overview(t)}</div>
      <label
        >${r("util_show")}
        <select
          name="util_wallbox"
          @change=${i=>this.shown=i.target.value}
        >
          <option value="">${r("util_site")}</option>
          ${t.wallboxes.map(i=>o`<option value=${i.charger_id}>${i.charger_name}</option>`)}
        </select>
      </label>
      ${this.heatMap(s)}
      <div class="table-wrap">${this.months(t,s)}</div>
    </section>`}static{this.styles=[b,f`
      figure {
        margin: 12px 0;
        box-shadow: none;
        padding: 0;
      }
      figcaption {
        font-weight: 500;
        margin-bottom: 8px;
      }
      svg {
        width: 100%;
        max-width: 640px;
        height: auto;
      }
      .cell {
        fill: var(--primary-color, #03a9f4);
      }
      .axis {
        font-size: 10px;
        fill: var(--secondary-text-color);
      }
      table + table {
        margin-top: 12px;
      }
      .downloads {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
        margin-bottom: 12px;
      }
    `]}};customElements.define("ev-utilization",Mt);var it=["#03a9f4","#ff9800","#8bc34a","#e91e63","#9c27b0","#009688","#795548","#607d8b"],Ht=class extends g{constructor(){super();this.statementTag="";this.statementPerson="";this.statementOf="card";this.from="",this.filters={},this.statementMonth=""}static{this.properties={hass:{attribute:!1},info:{attribute:!1},totals:{state:!0},statementOf:{state:!0},filters:{state:!0},error:{state:!0}}}connectedCallback(){super.connectedCallback(),this.from||(this.from=xt(vt(this.hass),-11),this.filters={start:X(this.from)}),this.statementMonth||(this.statementMonth=xt(vt(this.hass),-1).slice(0,7)),this.load()}async load(){this.error=void 0;try{this.totals=await this.hass.callWS({type:"ev_session_monitor/totals",...this.filters})}catch(t){this.error=_(t)}}filtersChanged(t){this.filters=t.detail,this.load()}async download(t){try{await rt(this.hass,"totals",st(this.filters),t)}catch(s){this.error=_(s)}}async statement(t){if(t.preventDefault(),!this.statementMonth)return;let s=this.statementOf==="person"?{person:this.statementPerson||this.info.persons[0]?.entity_id}:{tag_id:this.statementTag||this.info.tags[0]?.tag_id};if(!(!s.person&&!s.tag_id))try{await ae(this.hass,s,this.statementMonth)}catch(i){this.error=_(i)}}statementForm(){if(!this.info.tags.length)return c;let t=this.statementOf==="person";return o`<form class="card statement" @submit=${this.statement}>
      <h2>${r("statement_title")}</h2>
      <div class="filters">
        ${this.info.persons.length?o`<label
              >${r("statement_of")}
              <select
                name="statement_of"
                @change=${s=>this.statementOf=s.target.value}
              >
                <option value="card" ?selected=${!t}>${r("statement_of_card")}</option>
                <option value="person" ?selected=${t}>${r("statement_of_person")}</option>
              </select>
            </label>`:c}
        ${t?o`<label
              >${r("filter_person")}
              <select
                name="statement_person"
                @change=${s=>this.statementPerson=s.target.value}
              >
                ${this.info.persons.map(s=>o`<option value=${s.entity_id} ?selected=${s.entity_id===this.statementPerson}
                      >${s.name}</option
                    >`)}
              </select>
            </label>`:o`<label
              >${r("filter_tag")}
              <select
                name="statement_tag"
                @change=${s=>this.statementTag=s.target.value}
              >
                ${this.info.tags.map(s=>o`<option value=${s.tag_id} ?selected=${s.tag_id===this.statementTag}
                      >${s.name}</option
                    >`)}
              </select>
            </label>`}
        <label
          >${r("statement_month")}
          <input
            type="month"
            name="statement_month"
            required
            .value=${this.statementMonth}
            @change=${s=>this.statementMonth=s.target.value}
          />
        </label>
        <button type="submit" class="pdf">${r("download_pdf")}</button>
      </div>
      <p class="muted">${r(t?"statement_hint_person":"statement_hint")}</p>
    </form>`}tagLabel(t){return t.tag_name??t.tag_id??r("untagged")}chart(t,s,i,n){let l=[...new Set(s.map(w=>w.month))].sort(),h=[...new Set(s.map(w=>this.tagLabel(w)))],d=l.map(w=>s.filter(k=>k.month===w).reduce((k,J)=>k+i(J),0)),u=Math.max(...d,0)||1,m=600,p=200,$=44,y=22,S=(m-$)/Math.max(l.length,1),Nt=Math.min(S*.7,48),de=(p-y-8)/u,ce=l.flatMap((w,k)=>{let J=p-y;return s.filter(R=>R.month===w).map(R=>{let zt=i(R)*de;J-=zt;let pe=it[h.indexOf(this.tagLabel(R))%it.length];return N`<rect x=${$+k*S+(S-Nt)/2} y=${J} width=${Nt}
            height=${Math.max(zt,0)} fill=${pe}><title>${this.tagLabel(R)} ${w}: ${i(R).toFixed(2)} ${n}</title></rect>`})}),he=l.map((w,k)=>N`<text x=${$+k*S+S/2} y=${p-6}
        text-anchor="middle" class="axis">${w.slice(2)}</text>`);return o`<figure class="card chart">
      <figcaption>${t} (${n})</figcaption>
      <svg viewBox="0 0 ${m} ${p}" role="img" aria-label=${t}>
        <line x1=${$} x2=${m} y1=${p-y} y2=${p-y} class="grid" />
        <text x=${$-6} y="14" text-anchor="end" class="axis">${u.toFixed(u<10?1:0)}</text>
        <text x=${$-6} y=${p-y} text-anchor="end" class="axis">0</text>
        ${ce} ${he}
      </svg>
      <div class="legend">
        ${h.map((w,k)=>o`<span><i style="background:${it[k%it.length]}"></i>${w}</span>`)}
      </div>
    </figure>`}table(t,s,i){return o`<section class="card table-wrap">
      <h2>${t}</h2>
      <table>
        <thead>
          <tr>
            <th>${r("col_month")}</th>
            <th>${r("col_tag")} / ${r("col_wallbox")}</th>
            <th class="num">${r("col_sessions")}</th>
            <th class="num">${r("col_energy")}</th>
            <th class="num">${r("col_charging")}</th>
            <th class="num">${r("col_cost")}</th>
          </tr>
        </thead>
        <tbody>
          ${s.map(n=>o`<tr>
              <td>${n.month}</td>
              <td>${i(n)}</td>
              <td class="num">${n.sessions}</td>
              <td class="num">${A(this.hass,n.energy_wh)}</td>
              <td class="num">${T(n.charging_s)}</td>
              <td class="num">${v(this.hass,n.cost,n.currency)}</td>
            </tr>`)}
        </tbody>
      </table>
    </section>`}render(){let t=this.totals;return o`
      <ev-filter-bar .info=${this.info} from=${this.from} @filters-changed=${this.filtersChanged}>
        <button class="secondary download" @click=${()=>this.download("csv")}>
          ${r("download_csv")}
        </button>
        <button class="secondary download-xlsx" @click=${()=>this.download("xlsx")}>
          ${r("download_xlsx")}
        </button>
      </ev-filter-bar>
      ${this.statementForm()}
      ${this.error?o`<p class="error">${r("error",{message:this.error})}</p>`:c}
      ${t===void 0?o`<p class="muted">${r("loading")}</p>`:t.by_tag.length===0?o`<p class="muted">${r("reports_empty")}</p>`:o`<div class="charts">
                ${this.chart(`${r("reports_chart")} · ${r("reports_energy")}`,t.by_tag,s=>s.energy_wh/1e3,"kWh")}
                ${this.chart(`${r("reports_chart")} · ${r("reports_cost")}`,t.by_tag,s=>s.cost??0,t.by_tag.find(s=>s.currency)?.currency??this.info.currency)}
              </div>
              ${this.table(r("reports_by_tag"),t.by_tag,s=>this.tagLabel(s))}
              ${this.table(r("reports_by_wallbox"),t.by_charger,s=>s.charger_name)}`}
      ${this.info.admin?o`<ev-utilization .hass=${this.hass} .info=${this.info} .filters=${this.filters}></ev-utilization>`:c}
    `}static{this.styles=[b,f`
      .charts {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(300px, 1fr));
        gap: 16px;
        margin-bottom: 16px;
      }
      figure {
        margin: 0;
      }
      figcaption {
        font-weight: 500;
        margin-bottom: 8px;
      }
      svg {
        width: 100%;
        height: auto;
      }
      .axis {
        font-size: 11px;
        fill: var(--secondary-text-color);
      }
      .grid {
        stroke: var(--divider-color, #ccc);
      }
      .legend {
        display: flex;
        flex-wrap: wrap;
        gap: 4px 12px;
        font-size: 0.85em;
      }
      .legend i {
        display: inline-block;
        width: 10px;
        height: 10px;
        border-radius: 2px;
        margin-right: 4px;
      }
      section + section,
      .statement,
      ev-utilization {
        display: block;
        margin: 16px 0;
      }
    `]}};customElements.define("ev-reports-view",Ht);var Te=10,ne={invalid_tag:"err_invalid_tag",duplicate_tag:"err_duplicate_tag",unauthorized:"err_unauthorized",not_found:"err_not_found"};function oe(a){let e=a&&typeof a=="object"&&"code"in a?String(a.code):"";return e in ne?r(ne[e]):r("error",{message:_(a)})}var Ut=class extends g{static{this.properties={hass:{attribute:!1},info:{attribute:!1},tags:{state:!0},attempts:{state:!0},editing:{state:!0},error:{state:!0}}}connectedCallback(){super.connectedCallback(),this.info.admin&&this.load()}async load(){try{let[e,t]=await Promise.all([this.hass.callWS({type:"ev_session_monitor/tags"}),this.hass.callWS({type:"ev_session_monitor/attempts"})]);this.tags=e.tags,this.attempts=t.attempts}catch(e){this.error=oe(e)}}async run(e){this.error=void 0;try{await this.hass.callWS(e)}catch(t){return this.error=oe(t),!1}return await this.load(),this.dispatchEvent(new CustomEvent("tags-changed",{bubbles:!0,composed:!0})),!0}async save(e){e.preventDefault();let t=new FormData(e.target),s=String(t.get("price_per_kwh")??"").trim(),i=this.editing==="new",n={type:i?"ev_session_monitor/tags/add":"ev_session_monitor/tags/update",tag_id:i?String(t.get("tag_id")??""):this.editing.tag_id,name:String(t.get("name")??""),price_per_kwh:s===""?null:Number(s.replace(",",".")),chargers:t.getAll("chargers").map(String),person:String(t.get("person")??"")||null,priority:Number(t.get("priority")??0)};await this.run(n)&&(this.editing=void 0)}async removeTag(e){confirm(r("cards_confirm_remove",{name:e.name}))&&await this.run({type:"ev_session_monitor/tags/remove",tag_id:e.tag_id})}async setBlocked(e,t){t&&!confirm(r("cards_confirm_block",{name:e.name}))||await this.run({type:"ev_session_monitor/tags/block",tag_id:e.tag_id,blocked:t})}form(e){return o`<form class="card edit" @submit=${this.save}>
      ${e?o`<h2>${e.name} <span class="muted">${e.tag_id}</span></h2>`:o`<label>${r("cards_id")}<input name="tag_id" required autocomplete="off" /></label>`}
      <label>${r("cards_name")}<input name="name" required .value=${e?.name??""} /></label>
      <label
        >${r("cards_person")}
        <select name="person">
          <option value="">${r("cards_none")}</option>
          ${this.info.persons.map(t=>o`<option value=${t.entity_id} ?selected=${e?.person===t.entity_id}>
              ${t.name}
            </option>`)}
        </select>
        <span class="muted hint">${r("cards_person_hint")}</span>
      </label>
      <label
        >${r("cards_price_field",{currency:this.info.currency})}
        <input name="price_per_kwh" inputmode="decimal" .value=${e?.price_per_kwh?.toString()??""} />
      </label>
      <label
        >${r("cards_priority")}
        <input
          name="priority"
          type="number"
          min="0"
          max=${Te}
          step="1"
          required
          .value=${String(e?.priority??0)}
        />
        <span class="muted hint">${r("cards_priority_hint")}</span>
      </label>
      <fieldset>
        <legend>${r("cards_wallboxes")}</legend>
        ${this.info.wallboxes.map(t=>o`<label class="check"
            ><input
              type="checkbox"
              name="chargers"
              value=${t.charger_id}
              .checked=${e?.chargers.includes(t.charger_id)??!1}
            />${t.title}</label
          >`)}
      </fieldset>
      <div class="actions">
        <button type="submit">${r("cards_save")}</button>
        <button type="button" class="secondary" @click=${()=>this.editing=void 0}>
          ${r("cards_cancel")}
        </button>
      </div>
    </form>`}person(e){return this.info.persons.find(t=>t.entity_id===e)?.name??"—"}knownCards(e){return o`<section class="card table-wrap">
      <div class="actions head">
        <h2>${r("cards_known")}</h2>
        <button class="add" @click=${()=>this.editing="new"}>${r("cards_add")}</button>
      </div>
      ${e.length===0?o`<p class="muted">${r("cards_empty")}</p>`:o`<table>
            <thead>
              <tr>
                <th>${r("cards_name")}</th>
                <th>${r("cards_id")}</th>
                <th>${r("filter_person")}</th>
                <th class="num">${r("cards_price")}</th>
                <th>${r("filter_wallbox")}</th>
                <th class="num">${r("cards_priority")}</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              ${e.map(t=>o`<tr data-tag=${t.tag_id} class=${t.blocked?"blocked":""}>
                  <td class="name" data-label=${r("cards_name")}>
                    ${t.name}${t.blocked?o` <span class="badge">${r("cards_blocked")}</span>`:c}
                  </td>
                  <td data-label=${r("cards_id")}>${t.tag_id}</td>
                  <td data-label=${r("filter_person")}>${this.person(t.person)}</td>
                  <td class="num" data-label=${r("cards_price")}>${v(this.hass,t.price_per_kwh,this.info.currency)}</td>
                  <td data-label=${r("filter_wallbox")}>
                    ${t.chargers.length?t.chargers.map(s=>this.info.wallboxes.find(i=>i.charger_id===s)?.title??s).join(", "):r("all_wallboxes")}
                  </td>
                  <td class="num priority" data-label=${r("cards_priority")}>${t.priority}</td>
                  <td class="actions">
                    <button class="secondary edit" @click=${()=>this.editing=t}>
                      ${r("cards_edit")}
                    </button>
                    <button
                      class="secondary block"
                      @click=${()=>this.setBlocked(t,!t.blocked)}
                    >
                      ${t.blocked?r("cards_unblock"):r("cards_block")}
                    </button>
                    <button class="danger remove" @click=${()=>this.removeTag(t)}>
                      ${r("cards_remove")}
                    </button>
                  </td>
                </tr>`)}
            </tbody>
          </table>`}
    </section>`}attemptLog(e){return o`<section class="card table-wrap">
      <h2>${r("cards_attempts")}</h2>
      ${e.length===0?o`<p class="muted">${r("cards_attempts_empty")}</p>`:o`<table>
            <thead>
              <tr>
                <th>${r("cards_time")}</th>
                <th>${r("col_wallbox")}</th>
                <th>${r("cards_id")}</th>
                <th class="num">${r("cards_attempt_count")}</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              ${e.map(t=>o`<tr data-attempt=${t.tag_id??""}>
                  <td data-label=${r("cards_time")}>${x(this.hass,t.time)}</td>
                  <td data-label=${r("col_wallbox")}>${t.charger??"—"}</td>
                  <td data-label=${r("cards_id")}>${t.tag_id??"—"}</td>
                  <td class="num" data-label=${r("cards_attempt_count")}>${t.attempts??"—"}</td>
                  <td>
                    ${t.blocked?o`<span class="muted">${r("cards_blocked")}</span>`:t.known?o`<span class="muted">${r("cards_admitted")}</span>`:t.tag_id?.startsWith("sha256:")?o`<span class="muted">${r("cards_pseudonym")}</span>`:o`<button
                            class="admit"
                            @click=${()=>this.run({type:"ev_session_monitor/attempts/admit",tag_id:t.tag_id})}
                          >
                            ${r("cards_admit")}
                          </button>`}
                  </td>
                </tr>`)}
            </tbody>
          </table>`}
    </section>`}render(){return this.info.admin?o`
      ${this.error?o`<p class="error">${this.error}</p>`:c}
      ${this.editing!==void 0?this.form(this.editing==="new"?void 0:this.editing):c}
      ${this.tags===void 0||this.attempts===void 0?o`<p class="muted">${r("loading")}</p>`:o`${this.knownCards(this.tags)} ${this.attemptLog(this.attempts)}`}
    `:o`<p class="muted">${r("cards_admin_only")}</p>`}static{this.styles=[b,f`
      section + section,
      form + section {
        margin-top: 16px;
      }
      .head {
        justify-content: space-between;
      }
      tr.blocked td.name {
        color: var(--error-color, #db4437);
      }
      .badge {
        font-size: 0.8em;
        border: 1px solid currentColor;
        border-radius: 4px;
        padding: 0 4px;
      }
      .head h2 {
        margin: 0;
      }
      form.edit {
        display: grid;
        gap: 12px;
        max-width: 480px;
      }
      fieldset {
        border: 1px solid var(--divider-color, #ccc);
        border-radius: 6px;
        display: flex;
        flex-wrap: wrap;
        gap: 8px 16px;
      }
      legend {
        font-size: 0.85em;
        color: var(--secondary-text-color);
      }
      label.check {
        flex-direction: row;
        align-items: center;
        color: var(--primary-text-color);
        font-size: 1em;
      }
      label.check input {
        min-height: 0;
      }
      /* On a phone each row becomes a block of labelled lines, so its buttons stay on screen. */
      @media (max-width: 600px) {
        table,
        tbody,
        tr,
        td {
          display: block;
        }
        thead {
          display: none;
        }
        tr {
          padding: 8px 0;
          border-bottom: 1px solid var(--divider-color, #e0e0e0);
        }
        td,
        td.num {
          border: none;
          padding: 2px 0;
          white-space: normal;
          overflow-wrap: anywhere;
          text-align: left;
        }
        td[data-label]::before {
          content: attr(data-label) ": ";
          color: var(--secondary-text-color);
        }
      }
    `]}};customElements.define("ev-cards-view",Ut);var le=["now","sessions","reports","cards"],Lt=class extends g{constructor(){super();this.loading=!1;this.narrow=!1;let t=new URLSearchParams(location.search).get("view");this.tab=t&&le.includes(t)?t:"now"}static{this.properties={hass:{attribute:!1},narrow:{type:Boolean},tab:{state:!0},info:{state:!0},error:{state:!0}}}willUpdate(){this.hass&&!this.info&&!this.loading&&this.loadInfo()}async loadInfo(){this.loading=!0;try{this.info=await this.hass.callWS({type:"ev_session_monitor/info"}),this.error=void 0}catch(t){this.error=_(t)}finally{this.loading=!1}}select(t){this.tab=t;let s=new URL(location.href);s.searchParams.set("view",t),history.replaceState(null,"",s)}toggleMenu(){this.dispatchEvent(new CustomEvent("hass-toggle-menu",{bubbles:!0,composed:!0}))}view(){let t=this.info;if(!t)return c;switch(this.tab){case"sessions":return o`<ev-sessions-view .hass=${this.hass} .info=${t}></ev-sessions-view>`;case"reports":return o`<ev-reports-view .hass=${this.hass} .info=${t}></ev-reports-view>`;case"cards":return o`<ev-cards-view
          .hass=${this.hass}
          .info=${t}
          @tags-changed=${()=>this.loadInfo()}
        ></ev-cards-view>`;default:return o`<ev-now-view .hass=${this.hass} ?admin=${t.admin}></ev-now-view>`}}render(){return o`
      <header class="toolbar">
        ${this.narrow?o`<button class="menu" aria-label=${r("menu")} @click=${this.toggleMenu}>☰</button>`:c}
        <h1>${r("title")}</h1>
      </header>
      <nav role="tablist">
        ${le.map(t=>o`<button
            role="tab"
            class="tab ${t===this.tab?"active":""}"
            data-tab=${t}
            aria-selected=${t===this.tab}
            @click=${()=>this.select(t)}
          >
            ${r(`tab_${t}`)}
          </button>`)}
      </nav>
      <main>
        ${this.error?o`<p class="error">${r("error",{message:this.error})}</p>`:c}
        ${this.info?this.view():o`<p class="muted">${r("loading")}</p>`}
      </main>
    `}static{this.styles=[b,f`
      :host {
        background: var(--primary-background-color);
        min-height: 100vh;
      }
      .toolbar {
        display: flex;
        align-items: center;
        gap: 8px;
        height: var(--header-height, 56px);
        padding: 0 16px;
        background: var(--app-header-background-color, var(--primary-color));
        color: var(--app-header-text-color, var(--text-primary-color, #fff));
        box-sizing: border-box;
      }
      h1 {
        font-size: 20px;
        font-weight: 400;
        margin: 0;
      }
      .menu {
        background: none;
        color: inherit;
        font-size: 22px;
        padding: 4px 8px;
      }
      nav {
        display: flex;
        overflow-x: auto;
        background: var(--app-header-background-color, var(--primary-color));
        padding: 0 8px;
      }
      .tab {
        background: none;
        border-radius: 0;
        color: var(--app-header-text-color, var(--text-primary-color, #fff));
        opacity: 0.75;
        border-bottom: 2px solid transparent;
        padding: 10px 16px;
      }
      .tab.active {
        opacity: 1;
        border-bottom-color: currentColor;
      }
      main {
        padding: 16px;
        max-width: 1200px;
        margin: 0 auto;
        box-sizing: border-box;
      }
      @media (max-width: 600px) {
        main {
          padding: 8px;
        }
        .tab {
          padding: 10px;
          flex: 1;
        }
      }
    `]}};customElements.define("ev-session-monitor-panel",Lt);export{Lt as EvSessionMonitorPanel};
/*! Bundled license information:

@lit/reactive-element/css-tag.js:
  (**
   * @license
   * Copyright 2019 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)

@lit/reactive-element/reactive-element.js:
lit-html/lit-html.js:
lit-element/lit-element.js:
  (**
   * @license
   * Copyright 2017 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)

lit-html/is-server.js:
  (**
   * @license
   * Copyright 2022 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)
*/
